package chowder.bootstrap;

import com.google.common.util.concurrent.Service;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a runtime has started, in order, so that it stops in the reverse order: each adapter's module contributes its
 * services (a database pool, an HTTP client, a listener) and the runtime only decides which group comes when.
 */
final class StartedServices implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StartedServices.class);

    private final List<Service> started = new ArrayList<>();

    /**
     * Starts one service and waits until it runs; when it fails, everything started before it is stopped and its own
     * failure (not Guava's wrapper) is thrown, so that a configuration error reaches the operator as written.
     */
    void start(Service service) throws Exception {
        try {
            service.startAsync().awaitRunning();
        } catch (IllegalStateException e) {
            close();
            Throwable cause = service.state() == Service.State.FAILED ? service.failureCause() : e;
            if (cause instanceof Exception exception) {
                throw exception;
            }
            throw e;
        }
        started.add(service);
    }

    void startAll(Iterable<Service> services) throws Exception {
        for (Service service : services) {
            start(service);
        }
    }

    @Override
    public synchronized void close() {
        for (Service service : started.reversed()) {
            try {
                service.stopAsync().awaitTerminated();
            } catch (IllegalStateException e) {
                log.warn("Stopping {} failed", service, service.state() == Service.State.FAILED ? service.failureCause() : e);
            }
        }
        started.clear();
    }
}
