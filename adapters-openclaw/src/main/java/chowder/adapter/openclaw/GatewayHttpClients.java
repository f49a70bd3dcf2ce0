package chowder.adapter.openclaw;

import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.http.HttpCookieStore;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.util.SocketAddressResolver;
import org.eclipse.jetty.util.thread.Invocable;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;

/** Makes the (not yet started) Jetty client that talks to gateways, configured as a proxy's upstream client should be. */
public final class GatewayHttpClients {
    // Session keys can be ~3,100 characters; leave room for them and the other headers.
    private static final int REQUEST_HEADER_BUFFER_BYTES = 16 * 1024;
    private static final int MAX_CONNECTIONS_PER_GATEWAY = 20_000;
    private static final java.time.Duration POOLED_CONNECTION_IDLE = java.time.Duration.ofSeconds(3);

    private GatewayHttpClients() {}

    public static HttpClient create(OpenClawGatewayConfig config) {
        HttpClient http = new HttpClient() {
            @Override
            protected void doStart() throws Exception {
                super.doStart();
                // Jetty installs redirect, authentication and 100-continue handlers on start; a
                // gateway's 401 must reach Chowder as it is, not be answered by the library.
                getProtocolHandlers().clear();
                // Jetty also refills an empty decoder list on every start (gzip is always on its class path), which
                // sends Accept-Encoding and decodes answers: relay bytes as the gateway sent them, asking for no coding.
                getContentDecoderFactories().clear();
            }
        };
        // What a gateway's answer does is never wait: a call's tasks only parse, copy and write to the client's connection
        // asynchronously (the application hands a turn whose recording writes shared counters to a thread of its own). So
        // the client's I/O thread runs them itself instead of handing each answer to another thread (a wake-up per call:
        // a quarter of the added median and most of the p99 at one client, docs/perf.md).
        http.getHttpClientTransport().setInvocationType(Invocable.InvocationType.NON_BLOCKING);
        // One selector per core (Jetty's client has one by default): every organization's gateway traffic is read and
        // written by these threads, so that none waits behind a single one.
        http.getClientConnector().setSelectors(Math.max(1, Runtime.getRuntime().availableProcessors()));
        http.setConnectTimeout(config.connectTimeout().toMillis());
        // One client serves every organization's gateway, and cookies ignore ports: a cookie jar would hand one
        // tenant's cookie to another tenant's gateway on the same host. Chowder keeps none and sends none.
        http.setHttpCookieStore(new HttpCookieStore.Empty());
        http.setFollowRedirects(false);
        // OpenClaw closes idle keep-alive connections after 5 s (measured); drop ours first, so a
        // request never goes out on a connection the gateway is closing.
        http.setIdleTimeout(POOLED_CONNECTION_IDLE.toMillis());
        http.setRequestBufferSize(REQUEST_HEADER_BUFFER_BYTES);
        // Jetty's default of 64 connections per destination would queue the 65th concurrent turn or stream on one gateway.
        http.setMaxConnectionsPerDestination(MAX_CONNECTIONS_PER_GATEWAY);
        http.setMaxRequestsQueuedPerDestination(MAX_CONNECTIONS_PER_GATEWAY);
        http.setUserAgentField(new HttpField(HttpHeader.USER_AGENT, "chowder"));
        QueuedThreadPool threads = new QueuedThreadPool();
        threads.setName("gateway-client");
        http.setExecutor(threads);
        ScheduledExecutorScheduler scheduler = new ScheduledExecutorScheduler("gateway-client-scheduler", false);
        http.setScheduler(scheduler);
        http.setSocketAddressResolver(new PolicyCheckingResolver(
                new SocketAddressResolver.Async(threads, scheduler, config.connectTimeout().toMillis()),
                new GatewayAddressPolicy(config.allowedNetworks())));
        return http;
    }
}
