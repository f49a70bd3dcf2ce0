package chowder.bootstrap;

import ch.qos.logback.core.ConsoleAppender;
import java.io.BufferedOutputStream;
import java.io.Flushable;
import java.io.IOException;
import java.io.OutputStream;

/**
 * logback's {@link ConsoleAppender} with a buffer: with {@code immediateFlush} off, lines collect until {@link #flush()}
 * (or 64 KiB of them) and go out together, one system call for the lot. {@link BatchingAsyncAppender} flushes it after
 * each batch, so the access log costs a {@code write(2)} per batch instead of one per request: System.err writes every
 * line it is given at once. A line longer than the buffer is one write of its own. With {@code immediateFlush} on
 * (logback's default) it is a plain {@code ConsoleAppender}.
 */
public class BatchedConsoleAppender<E> extends ConsoleAppender<E> implements Flushable {
    /** Written when full, flush or not: a write per 64 KiB (about 200 access lines) at most. */
    static final int BUFFER_BYTES = 64 * 1024;

    /** Wraps the console's stream as {@code ConsoleAppender.start} sets it, before any header is written. */
    @Override
    public void setOutputStream(OutputStream out) {
        super.setOutputStream(out == null || isImmediateFlush() ? out : new BufferedOutputStream(out, BUFFER_BYTES));
    }

    @Override
    public void flush() throws IOException {
        streamWriteLock.lock();
        try {
            OutputStream out = getOutputStream();
            if (out != null) {
                out.flush();
            }
        } finally {
            streamWriteLock.unlock();
        }
    }
}
