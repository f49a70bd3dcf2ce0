package chowder.adapter.http;

import static java.nio.charset.StandardCharsets.US_ASCII;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
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
 * read, the watch asks the connection's end point to report readability itself. Closing the watch
 * withdraws that interest so the connection can read its next request. A client that sends bytes
 * beyond its request (HTTP pipelining, which no common client does with POST) has lost a byte to the
 * watch, so the answer then closes the connection ({@code Connection: close}) when it is not yet committed.
 *
 * <p>End of stream alone does not mean the client is gone: a client that half-closes (shuts down its
 * output after the request) still reads the answer, and TCP shows both the same way. Only writing
 * tells them apart: a closed socket answers data with a reset, after which a write fails. So the watch
 * then probes, with writes the client may receive and ignore: {@code 100 Continue} interim answers
 * (RFC 9110 §15.2: an HTTP/1.1 client must accept unexpected 1xx answers) before the answer starts, SSE
 * comments inside an event stream. Probes come at growing intervals, so the reset of a client one
 * long round trip away is met too; the first that fails raises {@code onDisconnect}. An HTTP/1.0
 * client may be sent no 1xx: before its answer starts, its end of stream is taken as a disconnect.
 * Writes to the client while the watch is open go through {@link #write} so that a probe never lands
 * inside one.
 *
 * <p>The watch is armed only once a request has waited {@link #ARM_AFTER}: registering read interest costs a
 * selector round trip, and most answers come sooner than a client could usefully be noticed leaving.
 */
final class ClientDisconnectWatch implements AutoCloseable {
    static final Duration ARM_AFTER = Duration.ofMillis(50);
    // Waits before each probe once the client ended its side. A closed socket's reset comes back a round trip after the
    // first probe: on loopback the second probe fails; a client up to about a second away is noticed by the last one.
    // A half-closed client receives at most this many probes.
    private static final long[] PROBE_DELAYS_MILLIS = {0, 10, 200, 1000};
    private static final byte[] CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(US_ASCII);
    private static final ClientDisconnectWatch NONE = new ClientDisconnectWatch(null, null, false, () -> {});
    private static final ScheduledThreadPoolExecutor ARMING = arming();

    /** A write to the client. */
    @FunctionalInterface
    interface ClientWrite {
        void run() throws IOException;
    }

    private final EndPoint endPoint;
    private final HttpServletResponse response;
    private final boolean interimAnswersAllowed;
    private final Runnable onDisconnect;
    private final AtomicBoolean watching = new AtomicBoolean(true);
    // Held by every write to the client while the watch is open, probes included.
    private final ReentrantLock writes = new ReentrantLock();
    private ClientWrite probeInsideAnswer;
    private volatile boolean inputLost;
    private ScheduledFuture<?> pendingArm;
    private final Callback readInterest = new Callback() {
        @Override
        public void succeeded() {
            readable();
        }

        @Override
        public void failed(Throwable failure) {
            disconnected();
        }
    };

    private ClientDisconnectWatch(EndPoint endPoint, HttpServletResponse response, boolean interimAnswersAllowed, Runnable onDisconnect) {
        this.endPoint = endPoint;
        this.response = response;
        this.interimAnswersAllowed = interimAnswersAllowed;
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
        ClientDisconnectWatch watch = new ClientDisconnectWatch(endPoint, response, version == HttpVersion.HTTP_1_1, onDisconnect);
        synchronized (watch) {
            watch.pendingArm = ARMING.schedule(watch::arm, ARM_AFTER.toNanos(), TimeUnit.NANOSECONDS);
        }
        return watch;
    }

    /** Writes to the client while the watch is open: a probe never lands in the middle of {@code write}. */
    void write(ClientWrite write) throws IOException {
        if (endPoint == null) {
            write.run();
            return;
        }
        writes.lock();
        try {
            write.run();
        } finally {
            writes.unlock();
        }
    }

    /** The answer's head has been sent (an event stream): from now on a probe is {@code probe}, which fits inside it. */
    void answerStarted(ClientWrite probe) {
        if (endPoint == null) {
            return;
        }
        writes.lock();
        try {
            probeInsideAnswer = probe;
        } finally {
            writes.unlock();
        }
    }

    // Synchronised with close(): interest registered after the request finished would swallow the next request.
    private synchronized void arm() {
        if (watching.get()) {
            endPoint.tryFillInterested(readInterest);
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
                Thread.ofVirtual().name("chowder-disconnect-probe").start(this::probeUntilAnswered);
            } else if (read == 0) {
                endPoint.tryFillInterested(readInterest);
            } else {
                // A byte of whatever the client sent next is gone, whoever stops the watch.
                inputLost = true;
                watching.set(false);
            }
        } catch (IOException e) {
            disconnected();
        }
    }

    /** The client ended its side: gone, or only half-closed? Probes tell, until one fails or the answer is complete. */
    private void probeUntilAnswered() {
        try {
            for (long delay : PROBE_DELAYS_MILLIS) {
                Thread.sleep(delay);
                if (!watching.get()) {
                    return;
                }
                if (!probe()) {
                    disconnected();
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Writes one probe; false when it failed (the client is gone) or none may be written. */
    private boolean probe() {
        writes.lock();
        try {
            if (!watching.get()) {
                return true;
            }
            if (probeInsideAnswer != null) {
                probeInsideAnswer.run();
                return true;
            }
            if (!interimAnswersAllowed || response.isCommitted()) {
                return false;
            }
            // Before the answer starts, Jetty writes nothing to the connection: the interim answer goes straight to it.
            Callback.Completable written = new Callback.Completable();
            endPoint.write(written, ByteBuffer.wrap(CONTINUE));
            written.get();
            return true;
        } catch (IOException | ExecutionException | RuntimeException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        } finally {
            writes.unlock();
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
        if (endPoint == null) {
            return;
        }
        stopWatching();
        // A probe being written finishes first: the answer must not be written into the middle of it.
        writes.lock();
        writes.unlock();
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
