package chowder.adapter.http.responses;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Request;

/**
 * Reads and drops the rest of a request body that was answered without being read (too large, a wrong key, no such
 * instance): the answer has gone out whole (its {@code Content-Length} says where it ends), and the exchange completes,
 * closing the connection, once the body ended. A client that writes its whole body before it reads would otherwise
 * find the connection reset under it, and a reset discards the answer it had not read yet (RFC 9112 §9.6: a server
 * closes only once the client can have read its last answer). Jetty fails the reads of a request whose answer is
 * complete (and those after {@link Request#consumeAvailable()}), so the drain runs between the answer's bytes and its
 * end. It reads with demand, so no thread waits, for at most the linger given ({@code CHOWDER_HTTP_REFUSED_BODY_LINGER},
 * 30 s by default, nginx's {@code lingering_time}), and a client that sends nothing for {@link #QUIET} (nginx's
 * {@code lingering_timeout}) is cut off sooner. What is still unread then goes with the connection, Jetty's way.
 */
final class UnreadBodyDrain implements Runnable {
    static final Duration QUIET = Duration.ofSeconds(5);

    /** What is left of a body that will not be read. */
    enum Rest {
        /** Nothing: it ended (or failed). */
        NONE,
        /** Some may still come: it is to be drained. */
        COMING,
        /** The client waits for a 100 Continue before it sends the body, and was never sent one: nothing will come. */
        HELD_BACK
    }

    private final Request request;
    private final Runnable drained;
    private final long deadline;

    private UnreadBodyDrain(Request request, Duration linger, Runnable drained) {
        this.request = request;
        this.drained = drained;
        // Saturated rather than overflowing, and capped: nanoTime arithmetic is exact below 2^62 ns.
        this.deadline = System.nanoTime() + Math.min(TimeUnit.NANOSECONDS.convert(linger), Long.MAX_VALUE / 4);
    }

    /**
     * What is left of {@code request}'s body, told by reading (and dropping) one chunk of it: a read never sends a
     * 100 Continue (a demand does), so a client still waiting for one is not asked for its body by this.
     */
    static Rest rest(Request request) {
        Content.Chunk next = request.read();
        if (next == null) {
            return request.getHeaders().contains(HttpHeader.EXPECT, HttpHeaderValue.CONTINUE.asString()) ? Rest.HELD_BACK : Rest.COMING;
        }
        next.release();
        return next.isLast() || Content.Chunk.isFailure(next) ? Rest.NONE : Rest.COMING;
    }

    /** Drops what is left of {@code request}'s body, then runs {@code drained} (also when the body failed or took too long). */
    static void drain(Request request, Duration linger, Runnable drained) {
        // The connection closes afterwards: a client that goes quiet ends the drain through the idle timeout's failed read.
        EndPoint endPoint = request.getConnectionMetaData().getConnection().getEndPoint();
        long quietMillis = Math.min(QUIET.toMillis(), Math.max(1, TimeUnit.MILLISECONDS.convert(linger)));
        if (endPoint.getIdleTimeout() <= 0 || endPoint.getIdleTimeout() > quietMillis) {
            endPoint.setIdleTimeout(quietMillis);
        }
        new UnreadBodyDrain(request, linger, drained).run();
    }

    @Override
    public void run() {
        while (System.nanoTime() - deadline < 0) {
            Content.Chunk chunk = request.read();
            if (chunk == null) {
                request.demand(this);
                return;
            }
            chunk.release();
            if (chunk.isLast() || Content.Chunk.isFailure(chunk)) {
                break;
            }
        }
        drained.run();
    }
}
