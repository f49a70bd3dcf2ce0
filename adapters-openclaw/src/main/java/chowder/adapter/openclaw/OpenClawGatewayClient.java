package chowder.adapter.openclaw;

import static java.util.Objects.requireNonNull;

import chowder.application.port.GatewayAnswerListener;
import chowder.application.port.ResponseRequest;
import chowder.application.port.out.AgentGatewayPort;
import chowder.domain.Instance;
import chowder.domain.MemoryBudget;
import chowder.domain.SessionKey;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.ByteBufferRequestContent;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;

/**
 * Forwards response requests to {@code {gateway_url}/v1/responses} with the gateway token as bearer
 * and the session in {@code x-openclaw-session-key}, and maps the gateway's failures to Chowder's
 * errors. Messages never contain the token; redirects are never followed. No thread waits for a gateway: each call
 * is a {@link GatewayExchange} driven by Jetty's events and the listener's demand.
 */
final class OpenClawGatewayClient implements AgentGatewayPort {
    /**
     * What a tenant learns when its gateway cannot be used: one message whether the address refused, closed, timed out
     * connecting, spoke something other than HTTP or answered 401/403, so that registering addresses cannot map which
     * ports are open or run an HTTP server with authentication. The precise cause goes to the operator's log.
     */
    static final String UNREACHABLE = "Gateway unavailable – the gateway could not be reached or did not accept Chowder's credentials.";
    static final String SESSION_KEY_HEADER = "x-openclaw-session-key";
    static final String MODEL_HEADER = "x-openclaw-model";
    static final String REQUEST_ID_HEADER = "x-request-id";
    static final String BUFFERED_BYTES_METRIC = "chowder.gateway.buffered";
    static final String BUSY = "Chowder is busy – the gateway answers it holds in memory have reached their limit; retry in a moment.";
    // Held answers leave memory as fast as their clients read them.
    private static final long BUSY_RETRY_AFTER_SECONDS = 1;

    private final HttpClient http;
    private final OpenClawGatewayConfig config;
    private final GatewayLatency latency;
    private final MemoryBudget bufferedBytes;
    private final HeadersDeadlines headersDeadlines;
    private final GatewayDestinations destinations;

    OpenClawGatewayClient(HttpClient http, OpenClawGatewayConfig config, MeterRegistry registry) {
        this.http = requireNonNull(http, "http is null");
        this.config = requireNonNull(config, "config is null");
        this.latency = new GatewayLatency(registry);
        this.bufferedBytes = new MemoryBudget(config.bufferedBytesMax(), BUSY, BUSY_RETRY_AFTER_SECONDS);
        this.headersDeadlines = new HeadersDeadlines(http.getScheduler());
        this.destinations = new GatewayDestinations(http);
        Gauge.builder(BUFFERED_BYTES_METRIC, bufferedBytes, MemoryBudget::total)
                .description("Bytes of gateway answers held in memory right now, against CHOWDER_GATEWAY_BUFFERED_BYTES_MAX")
                .baseUnit("bytes")
                .register(registry);
    }

    /** Calls waiting for their answer's headers right now. */
    int callsAwaitingHeaders() {
        return headersDeadlines.waiting();
    }

    @Override
    public void relayResponse(Instance instance, SessionKey sessionKey, ResponseRequest request, GatewayAnswerListener listener) {
        requireNonNull(listener, "listener is null");
        URI endpoint = instance.gatewayUrl().responsesEndpoint();
        Request gatewayRequest = new KnownUriRequest(http, endpoint)
                .method(HttpMethod.POST)
                .timeout(config.totalTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .idleTimeout(config.idleTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .headers(headers -> {
                    headers.put(HttpHeader.AUTHORIZATION, "Bearer " + instance.gatewayToken().value());
                    headers.put(HttpHeader.ACCEPT, request.stream() ? "text/event-stream" : "application/json");
                    headers.put(SESSION_KEY_HEADER, sessionKey.value());
                    OpenClawRequestBody.modelHeader(request.model()).ifPresent(model -> headers.put(MODEL_HEADER, model));
                    request.requestId().ifPresent(id -> headers.put(REQUEST_ID_HEADER, id));
                })
                .body(new ByteBufferRequestContent("application/json", OpenClawRequestBody.withOpenClawModel(request.otherFields())));
        MemoryBudget.Hold hold = bufferedBytes.open(instance.organizationId());
        int limit = (int) config.maxResponseBytes();
        GatewayExchange exchange = request.stream()
                ? new StreamExchange(instance, listener, gatewayRequest, latency, limit, hold)
                : new AnswerExchange(instance, listener, gatewayRequest, latency, limit, http.getResponseBufferSize(), hold);
        exchange.start(destinations, endpoint, headersDeadlines, config.headersTimeout(), request.cancellation(), request.requestId());
    }
}
