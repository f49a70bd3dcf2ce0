package chowder.adapter.http;

import java.time.Duration;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Fails the reading of a request body that arrives slower than a minimum rate: the body's reader then gets
 * {@link TooSlow}, and the client a 408. Jetty's idle timeout starts again with every byte, so without it a client
 * sending a byte every few seconds would hold its connection, its thread and the part of its body already read for as
 * long as it liked.
 *
 * <p>Time is cut into windows of {@link #WINDOW} or more, from when the handler first asks for the body. The first is
 * free (a small body may pause: a client that sends its headers, then its body a moment later); in each later one at
 * least the rate times its length must arrive. Windows, not the mean since the start: a client that sent a large part
 * at once must not earn hours of trickling with it. Unlike Jetty's {@code MinimumDataRateHandler}, which has neither.
 *
 * <p>The check runs when the reader asks for more ({@code demand}): a client that sends nothing at all is ended by the idle
 * timeout instead. Only reading is checked: answers, and event streams above all, may be as slow as the agent is.
 */
public final class MinimumBodyRate extends Handler.Wrapper {
    // The free first window, and the least length of every other: a network may stall a few seconds; a client that trickles
    // is cut at the first check after a window, so within two windows and Jetty's idle timeout.
    static final Duration WINDOW = Duration.ofSeconds(10);

    private final long bytesPerSecond;
    private final long windowNanos;

    /** @param bytesPerSecond the slowest rate a body may arrive at in each window after the first; zero: no minimum */
    MinimumBodyRate(long bytesPerSecond) {
        this(bytesPerSecond, WINDOW);
    }

    /** As {@link #MinimumBodyRate(long)}, in front of {@code handler}. */
    public MinimumBodyRate(long bytesPerSecond, Handler handler) {
        this(bytesPerSecond, WINDOW, handler);
    }

    /** As {@link #MinimumBodyRate(long)} with windows of another length, in front of {@code handler}. */
    MinimumBodyRate(long bytesPerSecond, Duration window, Handler handler) {
        this(bytesPerSecond, window);
        setHandler(handler);
    }

    private MinimumBodyRate(long bytesPerSecond, Duration window) {
        if (bytesPerSecond < 0) {
            throw new IllegalArgumentException("bytesPerSecond must not be negative");
        }
        this.bytesPerSecond = bytesPerSecond;
        this.windowNanos = window.toNanos();
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        boolean hasBody = request.getLength() > 0 || request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING);
        if (bytesPerSecond == 0 || !hasBody) {
            return super.handle(request, response, callback);
        }
        return super.handle(new RatedRequest(request), response, callback);
    }

    /** What a body's reader gets once its client has sent too slowly. */
    public static final class TooSlow extends TimeoutException {
        private final long bytesPerSecond;

        TooSlow(long bytesPerSecond) {
            super("the request body arrived slower than " + bytesPerSecond + " bytes per second");
            this.bytesPerSecond = bytesPerSecond;
        }

        long bytesPerSecond() {
            return bytesPerSecond;
        }
    }

    /** Counts what is read; a reader reads and demands from one thread at a time, so plain fields do. */
    private final class RatedRequest extends Request.Wrapper {
        private long bytesRead;
        private Content.Chunk tooSlow;
        // The window under way: when it began (0: before the first demand), what had been read then, and whether it is the free one.
        private long windowStartNanos;
        private long windowStartBytes;
        private boolean firstWindow = true;

        RatedRequest(Request request) {
            super(request);
        }

        @Override
        public Content.Chunk read() {
            if (tooSlow != null) {
                return tooSlow;
            }
            Content.Chunk chunk = super.read();
            if (chunk != null) {
                bytesRead += chunk.remaining();
            }
            return chunk;
        }

        @Override
        public void demand(Runnable demandCallback) {
            long now = System.nanoTime();
            if (windowStartNanos == 0) {
                startWindow(now);
            } else if (now - windowStartNanos >= windowNanos) {
                // The free window is its first WINDOW only: a check that comes later owes the rate for the time past it.
                long owedNanos = firstWindow ? now - windowStartNanos - windowNanos : now - windowStartNanos;
                if (isBehind(owedNanos)) {
                    tooSlow = Content.Chunk.from(new TooSlow(bytesPerSecond));
                    demandCallback.run();
                    return;
                }
                firstWindow = false;
                startWindow(now);
            }
            super.demand(demandCallback);
        }

        private void startWindow(long now) {
            windowStartNanos = now == 0 ? 1 : now;
            windowStartBytes = bytesRead;
        }

        /** Whether fewer bytes arrived in the window than the rate asks of {@code owedNanos}. */
        private boolean isBehind(long owedNanos) {
            // bytes < rate × seconds, in a form that cannot overflow for any realistic rate and body.
            return (double) (bytesRead - windowStartBytes) < bytesPerSecond * (owedNanos / 1e9);
        }
    }
}
