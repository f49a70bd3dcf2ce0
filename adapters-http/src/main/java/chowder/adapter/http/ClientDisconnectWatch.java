package chowder.adapter.http;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.AbstractEndPoint;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;

/**
 * Notices that an HTTP/1.1 client closed its connection while its request waits on the gateway.
 *
 * <p>Jetty reads a connection only when the application reads, so a client that hangs up during a
 * long agent turn would go unnoticed until the answer is written. Once the request body has been
 * read, the watch asks the connection's end point to report readability itself: end of stream means
 * the client is gone, and {@code onDisconnect} runs at once. Closing the watch withdraws that
 * interest so the connection can read its next request. A client that sends bytes beyond its
 * request (HTTP pipelining, which no common client does with POST) has lost a byte to the watch, so
 * the answer then closes the connection ({@code Connection: close}) when it is not yet committed.
 *
 * <p>The watch is armed only once a request has waited {@link #ARM_AFTER}: registering read interest costs a
 * selector round trip, and most answers come sooner than a client could usefully be noticed leaving.
 */
final class ClientDisconnectWatch implements AutoCloseable {
    static final Duration ARM_AFTER = Duration.ofMillis(50);
    private static final ClientDisconnectWatch NONE = new ClientDisconnectWatch(null, null, () -> {});
    private static final ScheduledThreadPoolExecutor ARMING = arming();

    private final EndPoint endPoint;
    private final HttpServletResponse response;
    private final Runnable onDisconnect;
    private final AtomicBoolean watching = new AtomicBoolean(true);
    private volatile boolean inputLost;
    private ScheduledFuture<?> pendingArm;
    private final Callback probe = new Callback() {
        @Override
        public void succeeded() {
            readable();
        }

        @Override
        public void failed(Throwable failure) {
            disconnected();
        }
    };

    private ClientDisconnectWatch(EndPoint endPoint, HttpServletResponse response, Runnable onDisconnect) {
        this.endPoint = endPoint;
        this.response = response;
        this.onDisconnect = onDisconnect;
    }

    /** Starts watching; call only after the whole request body has been read. */
    static ClientDisconnectWatch start(HttpServletRequest servletRequest, HttpServletResponse response, Runnable onDisconnect) {
        Request request = ServletContextRequest.getServletContextRequest(servletRequest);
        HttpVersion version = request.getConnectionMetaData().getHttpVersion();
        EndPoint endPoint = request.getConnectionMetaData().getConnection().getEndPoint();
        // Only HTTP/1.x owns its connection; an HTTP/2 end point is shared by many requests.
        if (version != HttpVersion.HTTP_1_1 && version != HttpVersion.HTTP_1_0 || !(endPoint instanceof AbstractEndPoint)) {
            return NONE;
        }
        ClientDisconnectWatch watch = new ClientDisconnectWatch(endPoint, response, onDisconnect);
        synchronized (watch) {
            watch.pendingArm = ARMING.schedule(watch::arm, ARM_AFTER.toNanos(), TimeUnit.NANOSECONDS);
        }
        return watch;
    }

    // Synchronised with close(): interest registered after the request finished would swallow the next request.
    private synchronized void arm() {
        if (watching.get()) {
            endPoint.tryFillInterested(probe);
        }
    }

    // Synchronised with stopWatching(): re-arming after the request finished would swallow the next request.
    private synchronized void readable() {
        if (!watching.get()) {
            return;
        }
        try {
            ByteBuffer oneByte = BufferUtil.allocate(1);
            int read = endPoint.fill(oneByte);
            if (read < 0) {
                disconnected();
            } else if (read == 0) {
                endPoint.tryFillInterested(probe);
            } else {
                // A byte of whatever the client sent next is gone, whoever stops the watch.
                inputLost = true;
                watching.set(false);
            }
        } catch (IOException e) {
            disconnected();
        }
    }

    private void disconnected() {
        if (watching.compareAndSet(true, false)) {
            onDisconnect.run();
        }
    }

    /** Stops watching; call on the request's own thread, before its answer is complete. */
    @Override
    public void close() {
        if (endPoint != null) {
            stopWatching();
        }
        if (inputLost && !response.isCommitted()) {
            response.setHeader("Connection", "close");
        }
    }

    private synchronized void stopWatching() {
        pendingArm.cancel(false);
        if (watching.compareAndSet(true, false) && endPoint.isFillInterested()) {
            ((AbstractEndPoint) endPoint).getFillInterest().onFail(new RequestFinished());
        }
    }

    private static ScheduledThreadPoolExecutor arming() {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1,
                Thread.ofPlatform().name("chowder-disconnect-watch").daemon().factory());
        // Most watches are cancelled long before they fire: drop them from the queue at once.
        executor.setRemoveOnCancelPolicy(true);
        return executor;
    }

    /** Withdraws the read interest; thrown away unseen, so it skips the stack walk. */
    private static final class RequestFinished extends CancellationException {
        RequestFinished() {
            super("request finished");
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }
}
