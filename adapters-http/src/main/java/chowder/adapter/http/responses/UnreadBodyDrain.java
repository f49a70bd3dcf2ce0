package chowder.adapter.http.responses;

import java.time.Duration;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;

/**
 * Reads and drops the rest of a request body that was answered without being read (too large, a wrong key, no such
 * instance): the answer has gone out whole (its {@code Content-Length} says where it ends), and the exchange completes,
 * closing the connection, once the body ended. A client that writes its whole body before it reads would otherwise
 * find the connection reset under it, and a reset discards the answer it had not read yet (RFC 9112 §9.6: a server
 * closes only once the client can have read its last answer). Jetty fails the reads of a request whose answer is
 * complete (and those after {@link Request#consumeAvailable()}), so the drain runs between the answer's bytes and its
 * end. It reads with demand, so no thread waits, and
 * lasts at most the linger given ({@code CHOWDER_HTTP_REFUSED_BODY_LINGER}, 30 s by default, nginx's
 * {@code lingering_time}); a client that sends nothing is cut off by the connection's idle timeout. What is still
 * unread then goes with the connection, Jetty's way.
 */
final class UnreadBodyDrain implements Runnable {
    private final Request request;
    private final Runnable drained;
    private final long deadline;

    private UnreadBodyDrain(Request request, Duration linger, Runnable drained) {
        this.request = request;
        this.drained = drained;
        // Capped, as no one lingers for centuries: nanoTime arithmetic is exact below 2^62 ns.
        this.deadline = System.nanoTime() + Math.min(linger.toNanos(), Long.MAX_VALUE / 4);
    }

    /**
     * Whether {@code request}'s body may still be coming: a chunk of it is read (and dropped) to tell. Call only once the
     * body will not be read (the answer is an error) and the client was sent, or did not wait for, a 100 Continue.
     */
    static boolean bodyLeft(Request request) {
        Content.Chunk next = request.read();
        if (next == null) {
            return true;
        }
        next.release();
        return !next.isLast() && !Content.Chunk.isFailure(next);
    }

    /** Drops what is left of {@code request}'s body, then runs {@code drained} (also when the body failed or took too long). */
    static void drain(Request request, Duration linger, Runnable drained) {
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
