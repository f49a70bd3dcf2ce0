package chowder.adapter.http;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;

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
public final class UnreadBodyDrain implements Runnable {
    public static final Duration QUIET = Duration.ofSeconds(5);
    /** Jetty's default for the chunks its consume reads ({@code HttpConfiguration.maxUnconsumedRequestContentReads}). */
    private static final int AVAILABLE_READS = 16;

    /** What is left of a body that will not be read. */
    public enum Rest {
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
     * What is left of {@code request}'s body, told by reading (and dropping) what has arrived of it, as Jetty's own
     * consume does (at most {@link #AVAILABLE_READS} chunks): a body that has all arrived is no reason to end the
     * connection. A read never sends a 100 Continue (a demand does), so a client still waiting for one (nothing of its
     * body read yet) is not asked for its body by this.
     */
    public static Rest rest(Request request) {
        for (int reads = 0; reads < AVAILABLE_READS; reads++) {
            Content.Chunk next = request.read();
            if (next == null) {
                boolean waitsForContinue = request.getHeaders().contains(HttpHeader.EXPECT, HttpHeaderValue.CONTINUE.asString())
                        && Request.getContentBytesRead(request) == 0;
                return waitsForContinue ? Rest.HELD_BACK : Rest.COMING;
            }
            next.release();
            if (next.isLast() || Content.Chunk.isFailure(next)) {
                return Rest.NONE;
            }
        }
        return Rest.COMING;
    }

    /**
     * Writes {@code answer} to {@code sink} as its content but not its end, drops the rest of {@code request}'s body, then
     * ends the content: the answer reaches the client while the connection still takes what it sends.
     */
    public static void writeThenDrain(Request request, Duration linger, Content.Sink sink, ByteBuffer answer, Callback written) {
        sink.write(false, answer, Callback.from(() -> drain(request, linger, () -> sink.write(true, BufferUtil.EMPTY_BUFFER, written)),
                written::failed));
    }

    /** Drops what is left of {@code request}'s body, then runs {@code drained} (also when the body failed or took too long). */
    public static void drain(Request request, Duration linger, Runnable drained) {
        // The connection closes afterwards: a client that goes quiet ends the drain through the idle timeout's failed read.
        EndPoint endPoint = request.getConnectionMetaData().getConnection().getEndPoint();
        long idleMillis = endPoint.getIdleTimeout();
        long quietMillis = Math.min(QUIET.toMillis(), Math.max(1, TimeUnit.MILLISECONDS.convert(linger)));
        if (idleMillis <= 0 || idleMillis > quietMillis) {
            endPoint.setIdleTimeout(quietMillis);
        }
        // A connection that outlives the drain (its answer did not say close) is idle as long as any other again.
        new UnreadBodyDrain(request, linger, () -> {
            endPoint.setIdleTimeout(idleMillis);
            drained.run();
        }).run();
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
