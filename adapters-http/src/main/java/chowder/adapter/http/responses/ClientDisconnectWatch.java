package chowder.adapter.http.responses;

import static java.nio.charset.StandardCharsets.US_ASCII;

import chowder.application.port.RoutineCancellation;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.AbstractEndPoint;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
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
 * Every write of the answer goes through {@link #write}, asynchronously, so that a probe never lands inside one: a
 * write waits for a probe being written, and no probe is written while a write is.
 *
 * <p>The watch is armed only once a request has waited {@link #ARM_AFTER} (within a tick of {@link WatchArming}):
 * registering read interest costs a selector round trip, and most answers come sooner than a client could usefully be
 * noticed leaving.
 */
final class ClientDisconnectWatch implements AutoCloseable, WatchArming.Watch {
    static final Duration ARM_AFTER = Duration.ofMillis(50);
    // Waits before each probe once the client ended its side. A closed socket's reset comes back a round trip after the
    // first probe: on loopback the second probe fails; a client up to about a second away is noticed by the last one.
    // A half-closed client receives at most this many probes.
    private static final long[] PROBE_DELAYS_MILLIS = {0, 10, 200, 1000};
    private static final byte[] CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(US_ASCII);
    // An SSE comment: event stream clients skip it (the probe inside an event stream).
    private static final byte[] COMMENT = ":\n\n".getBytes(US_ASCII);
    private static final WatchArming ARMING = new WatchArming(ARM_AFTER);

    private final EndPoint endPoint;
    private final Response response;
    private final boolean interimAnswersAllowed;
    private final Runnable onDisconnect;
    private final AtomicBoolean watching = new AtomicBoolean(true);
    // Guarded by itself: whether a write (the answer's or a probe) is under way, and the answer's writes waiting for it.
    private final Object writes = new Object();
    private boolean writing;
    private final java.util.ArrayDeque<Runnable> waitingWrites = new java.util.ArrayDeque<>(2);
    private volatile boolean answerStarted;
    private volatile boolean inputLost;
    private final long startNanos = System.nanoTime();
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

    private ClientDisconnectWatch(EndPoint endPoint, Response response, boolean interimAnswersAllowed, Runnable onDisconnect) {
        this.endPoint = endPoint;
        this.response = response;
        this.interimAnswersAllowed = interimAnswersAllowed;
        this.onDisconnect = onDisconnect;
    }

    /** Starts watching; call only after the whole request body has been read. */
    static ClientDisconnectWatch start(Request request, Response response, Runnable onDisconnect) {
        HttpVersion version = request.getConnectionMetaData().getHttpVersion();
        EndPoint endPoint = request.getConnectionMetaData().getConnection().getEndPoint();
        // Only HTTP/1.x owns its connection; an HTTP/2 end point is shared by many requests.
        if (version != HttpVersion.HTTP_1_1 && version != HttpVersion.HTTP_1_0 || !(endPoint instanceof AbstractEndPoint)) {
            return new ClientDisconnectWatch(null, response, false, onDisconnect);
        }
        ClientDisconnectWatch watch = new ClientDisconnectWatch(endPoint, response, version == HttpVersion.HTTP_1_1, onDisconnect);
        ARMING.add(watch);
        return watch;
    }

    /** Writes to the client, now or once the probe being written is out: a probe never lands in the middle of a write. */
    void write(boolean last, ByteBuffer bytes, Callback callback) {
        Runnable write = () -> response.write(last, bytes, Callback.from(() -> {
            written();
            callback.succeeded();
        }, failure -> {
            written();
            callback.failed(failure);
        }));
        synchronized (writes) {
            if (writing) {
                waitingWrites.add(write);
                return;
            }
            writing = true;
        }
        write.run();
    }

    /** A write is out: the one waiting for it may go. */
    private void written() {
        Runnable next;
        synchronized (writes) {
            next = waitingWrites.poll();
            writing = next != null;
        }
        if (next != null) {
            next.run();
        }
    }

    /** The answer's head has been sent (an event stream): from now on a probe is an SSE comment, which fits inside it. */
    void answerStarted() {
        answerStarted = true;
    }

    @Override
    public long startNanos() {
        return startNanos;
    }

    @Override
    public boolean isWatching() {
        return watching.get();
    }

    // Synchronised with close(): interest registered after the request finished would swallow the next request.
    @Override
    public synchronized void arm() {
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
        synchronized (writes) {
            if (!watching.get() || writing) {
                // A write under way fails by itself if the client is gone.
                return true;
            }
            writing = true;
        }
        try {
            Callback.Completable probed = new Callback.Completable();
            if (answerStarted) {
                response.write(false, ByteBuffer.wrap(COMMENT), probed);
            } else if (!interimAnswersAllowed || response.isCommitted()) {
                return false;
            } else {
                // Before the answer starts, Jetty writes nothing to the connection: the interim answer goes straight to it.
                endPoint.write(probed, ByteBuffer.wrap(CONTINUE));
            }
            probed.get();
            return true;
        } catch (ExecutionException | RuntimeException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        } finally {
            written();
        }
    }

    private void disconnected() {
        if (watching.compareAndSet(true, false)) {
            onDisconnect.run();
        }
    }

    /** Stops watching (a probe being written still goes out before the answer's next write); call before the answer's last write. */
    @Override
    public void close() {
        if (endPoint == null) {
            return;
        }
        stopWatching();
        if (inputLost && !response.isCommitted()) {
            response.getHeaders().put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE.asString());
        }
    }

    private synchronized void stopWatching() {
        if (watching.compareAndSet(true, false) && endPoint.isFillInterested()) {
            ((AbstractEndPoint) endPoint).getFillInterest().onFail(new RoutineCancellation("request finished"));
        }
    }
}
