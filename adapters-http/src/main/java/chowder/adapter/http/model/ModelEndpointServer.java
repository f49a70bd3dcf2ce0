package chowder.adapter.http.model;

import static java.util.Objects.requireNonNull;

import chowder.adapter.http.HeaderTimeout;
import chowder.adapter.http.MinimumBodyRate;
import chowder.adapter.http.UnreadBodyLinger;
import chowder.application.port.in.AuthorizeModelCallUseCase;
import chowder.domain.MemoryBudget;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.util.concurrent.Executors;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * Chowder's model endpoint: a listener on {@code 127.0.0.1} of its own (not the API's port), which each sandbox is let
 * through to, serving only {@link ModelProxyHandler}. Handlers run on virtual threads (admitting a call may read the
 * database); the relay itself waits on no thread, and ended calls are charged on threads of their own. It holds at most
 * {@code maxConnections} connections (more wait to be accepted).
 */
public final class ModelEndpointServer {
    private final Server server;
    private final ServerConnector connector;
    private final MeteringExecutor metering;

    /** @param heldBodies the memory request bodies may hold, shared with the API's listener */
    public ModelEndpointServer(ModelEndpointConfig config, AuthorizeModelCallUseCase calls, MeterRegistry registry, MemoryBudget heldBodies) {
        requireNonNull(config, "config is null");
        QueuedThreadPool threads = new QueuedThreadPool();
        threads.setName("model-endpoint");
        threads.setVirtualThreadsExecutor(Executors.newVirtualThreadPerTaskExecutor());
        this.server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        // Jetty reuses a header a connection sent before when a new one equals it ignoring case: a gateway credential
        // differing only in case from the last one would be read as that one (as on the API's connector).
        http.setHeaderCacheCaseSensitive(true);
        this.connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setHost("127.0.0.1");
        connector.setPort(config.port());
        server.addConnector(connector);
        // A sandboxed agent can connect here: it must not hold connections by sending its headers or body a byte at a time.
        HeaderTimeout headerTimeout = new HeaderTimeout(config.headerTimeout());
        connector.addEventListener(headerTimeout.connections());
        server.addBean(new NetworkConnectionLimit(config.maxConnections(), server));
        this.metering = new MeteringExecutor(config.meteringConcurrency());
        // A call refused before its body was read (too large, a wrong credential) has the rest of it drained after the
        // answer, where closing on it would reset the connection and the answer with it; with no linger, the answer
        // still says the connection closes.
        Handler relay = new UnreadBodyLinger(config.refusedBodyLinger(), new ModelProxyHandler(calls, config, registry, metering, heldBodies));
        headerTimeout.setHandler(config.minBodyBytesPerSecond() > 0 ? new MinimumBodyRate(config.minBodyBytesPerSecond(), relay) : relay);
        server.setHandler(headerTimeout);
        server.setStopTimeout(5_000);
    }

    public void start() throws Exception {
        server.start();
    }

    /** Stops listening, ends the calls under way, and waits (a little) until each is charged. */
    public void stop() throws Exception {
        try {
            server.stop();
        } finally {
            metering.close();
        }
    }

    /** Where gateways reach it: {@code http://127.0.0.1:<port>}. */
    public URI uri() {
        return URI.create("http://127.0.0.1:" + connector.getLocalPort());
    }
}
