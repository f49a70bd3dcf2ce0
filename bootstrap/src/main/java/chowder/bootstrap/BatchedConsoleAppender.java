package chowder.bootstrap;

import ch.qos.logback.classic.spi.ILoggingEvent;
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
    // Where a MessageLineEncoder's line is written before it is buffered: guarded by streamWriteLock.
    private final byte[] line = new byte[8 * 1024];

    /** Wraps the console's stream as {@code ConsoleAppender.start} sets it, before any header is written. */
    @Override
    public void setOutputStream(OutputStream out) {
        super.setOutputStream(out == null || isImmediateFlush() ? out : new BufferedOutputStream(out, BUFFER_BYTES));
    }

    /**
     * A {@link MessageLineEncoder}'s line goes through a buffer of the appender's own, not a new array per line (one per
     * request for the access log); any other encoder's, or a line that is long or not ASCII, the usual way.
     */
    @Override
    protected void writeOut(E event) throws IOException {
        if (isImmediateFlush() || !(encoder instanceof MessageLineEncoder lines) || !(event instanceof ILoggingEvent logged)) {
            super.writeOut(event);
            return;
        }
        streamWriteLock.lock();
        try {
            if (!isStarted()) {
                return;
            }
            int length = lines.encodeInto(logged, line);
            if (length < 0) {
                getOutputStream().write(lines.encode(logged));
            } else {
                getOutputStream().write(line, 0, length);
            }
        } finally {
            streamWriteLock.unlock();
        }
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
