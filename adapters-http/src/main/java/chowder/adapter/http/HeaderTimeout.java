package chowder.adapter.http;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * Closes a connection whose next request's headers have not all arrived within the header timeout. Jetty has no such
 * limit: its idle timeout starts again with every byte, so a client sending its headers a byte at a time would hold a
 * connection for ever. The clock runs from the moment a connection is ready for a request (opened, or the previous
 * answer complete) until the request's headers are parsed and it is handled; it never runs while a request is handled,
 * so it cannot cut a long agent turn or stream.
 *
 * <p>The handler goes first in the server's chain (handling starts once the headers are parsed), and
 * {@link #connections()} is added to the connector, to hear of connections opening and closing.
 */
public final class HeaderTimeout extends Handler.Wrapper {
    private final long timeoutNanos;
    private final Scheduler scheduler = new ScheduledExecutorScheduler("chowder-header-timeout", true);
    private final Map<Connection, Deadline> deadlines = new ConcurrentHashMap<>();
    private final Connection.Listener connections = new Connection.Listener() {
        @Override
        public void onOpened(Connection connection) {
            Deadline deadline = new Deadline(connection);
            deadlines.put(connection, deadline);
            deadline.waitForRequest();
        }

        @Override
        public void onClosed(Connection connection) {
            deadlines.remove(connection);
        }
    };

    public HeaderTimeout(Duration timeout) {
        this.timeoutNanos = timeout.toNanos();
        addBean(scheduler);
    }

    /** What the connector must tell of its connections. */
    public Connection.Listener connections() {
        return connections;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        Deadline deadline = deadlines.get(request.getConnectionMetaData().getConnection());
        if (deadline == null) {
            return super.handle(request, response, callback);
        }
        deadline.requestArrived();
        boolean handled;
        try {
            // The clock starts before the callback completes: completing it may start the next request at once.
            handled = super.handle(request, response, Callback.from(deadline::waitForRequest, callback));
        } catch (Throwable failure) {
            deadline.waitForRequest();
            throw failure;
        }
        if (!handled) {
            // Jetty answers 404 itself, through the original callback.
            deadline.waitForRequest();
        }
        return handled;
    }

    /**
     * One connection's clock. A timer is scheduled only when none is pending: one that fires while a request is handled
     * just ends, and the end of that request schedules the next, so a request costs two volatile writes, not a timer.
     */
    private final class Deadline implements Runnable {
        private final Connection connection;
        private final AtomicBoolean timerPending = new AtomicBoolean();
        private volatile boolean handling;
        private volatile long waitingSince;

        Deadline(Connection connection) {
            this.connection = connection;
        }

        void waitForRequest() {
            waitingSince = System.nanoTime();
            handling = false;
            if (timerPending.compareAndSet(false, true)) {
                scheduler.schedule(this, timeoutNanos, TimeUnit.NANOSECONDS);
            }
        }

        void requestArrived() {
            handling = true;
        }

        @Override
        public void run() {
            // Cleared first: a request ending from now on schedules a timer of its own if this one does not.
            timerPending.set(false);
            if (handling || !connection.getEndPoint().isOpen()) {
                return;
            }
            long left = waitingSince + timeoutNanos - System.nanoTime();
            if (left <= 0) {
                connection.getEndPoint().close(new TimeoutException("no complete request headers within " + Duration.ofNanos(timeoutNanos)));
            } else if (timerPending.compareAndSet(false, true)) {
                scheduler.schedule(this, left, TimeUnit.NANOSECONDS);
            }
        }
    }
}
