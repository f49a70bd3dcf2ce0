package chowder.adapter.http.model;

import static java.util.Objects.requireNonNull;

import chowder.application.port.in.AuthorizeModelCallUseCase;
import chowder.application.port.in.AuthorizeModelCallUseCase.ModelCallGrant;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.LimitExceededException;
import chowder.domain.ModelApi;
import chowder.domain.ModelProviderName;
import chowder.domain.ModelTokens;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.proxy.ProxyHandler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Relays a provisioned gateway's model call to its provider, on Jetty's own {@link ProxyHandler}: the answer goes back
 * chunk by chunk as it arrives (a stream event by event), and a gateway that goes away aborts the provider's call.
 * Before relaying: the path must be {@code /providers/<name>/<the provider format's one call>}, the credential one
 * Chowder gave a running instance for that provider ({@code Authorization: Bearer} or Anthropic's {@code x-api-key}),
 * the body a JSON object naming an offered model, and the organization's budget not spent. Upstream it carries the
 * organization's (or the operator's) key, and of the gateway's headers only those a provider's API needs: nothing the
 * agent adds (an {@code OpenAI-Organization} header could bill another project of the operator's account) gets
 * through, and only the answer's content type and retry hints come back (rate-limit headers of a shared operator key
 * would tell one tenant what the others use). The usage the provider reports is metered when the answer ends.
 *
 * <p>Here the gateway is the client and the provider the server: {@code gatewayRequest}, {@code providerRequest},
 * {@code providerResponse}, {@code gatewayResponse} in Jetty's terms of client-to-proxy, proxy-to-server and back.
 */
final class ModelProxyHandler extends ProxyHandler {
    static final String PREFIX = "/providers/";
    private static final Logger log = LoggerFactory.getLogger(ModelProxyHandler.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CALL = ModelProxyHandler.class.getName() + ".call";
    /** What a provider's API needs of the gateway's request; everything else stays behind. */
    private static final Set<String> FORWARDED_REQUEST_HEADERS = Set.of("content-type", "accept", "anthropic-version", "anthropic-beta");
    /** What the gateway needs of the provider's answer. */
    private static final Set<String> RETURNED_RESPONSE_HEADERS = Set.of("content-type", "retry-after", "retry-after-ms");

    private final AuthorizeModelCallUseCase calls;
    private final ModelEndpointConfig config;
    private final MeterRegistry registry;

    ModelProxyHandler(AuthorizeModelCallUseCase calls, ModelEndpointConfig config, MeterRegistry registry) {
        this.calls = requireNonNull(calls, "calls is null");
        this.config = requireNonNull(config, "config is null");
        this.registry = requireNonNull(registry, "registry is null");
    }

    /** One admitted call: where it goes, what it sends, and its meter, told exactly once. */
    private static final class ModelCall {
        final ModelProviderName provider;
        final ModelCallGrant grant;
        final ModelCallBody body;
        final AtomicBoolean metered = new AtomicBoolean();
        volatile UsageTap tap;
        volatile int status;

        ModelCall(ModelProviderName provider, ModelCallGrant grant, ModelCallBody body) {
            this.provider = provider;
            this.grant = grant;
            this.body = body;
        }

        URI upstream() {
            String base = grant.baseUrl().toString().replaceAll("/+$", "");
            return URI.create(base + "/" + grant.api().path());
        }
    }

    @Override
    protected void configureHttpClient(HttpClient httpClient) {
        // No redirects, no cookies: ProxyHandler's own settings. Jetty clears the decoders itself: answers stay as sent.
        super.configureHttpClient(httpClient);
        httpClient.setConnectTimeout(config.connectTimeout().toMillis());
        httpClient.setIdleTimeout(config.idleTimeout().toMillis());
        // Every tenant's calls to one provider share a destination: Jetty's default of 64 connections would queue the 65th.
        httpClient.setMaxConnectionsPerDestination(20_000);
        httpClient.setMaxRequestsQueuedPerDestination(20_000);
        httpClient.setUserAgentField(null);
    }

    @Override
    public boolean handle(Request gatewayRequest, Response gatewayResponse, Callback callback) {
        ModelCall call;
        try {
            call = admit(gatewayRequest);
        } catch (LimitExceededException e) {
            gatewayResponse.getHeaders().put(HttpHeader.RETRY_AFTER, Long.toString(e.retryAfterSeconds()));
            // OpenAI's names: a spent budget is "insufficient_quota", which clients do not retry; a rate "rate_limit_exceeded".
            refuse(gatewayResponse, callback, 429, e.budget() ? "insufficient_quota" : "rate_limit_exceeded", e.getMessage());
            return true;
        } catch (ChowderException e) {
            int status = switch (e.code()) {
                case INVALID_API_KEY, MISSING_API_KEY -> 401;
                case PERMISSION_DENIED -> 403;
                case NOT_FOUND -> 404;
                case PAYLOAD_TOO_LARGE -> 413;
                case INVALID_REQUEST, VALIDATION_FAILED -> 400;
                default -> 500;
            };
            refuse(gatewayResponse, callback, status, e.code().name().toLowerCase(Locale.ROOT), e.getMessage());
            return true;
        }
        gatewayRequest.setAttribute(CALL, call);
        org.eclipse.jetty.client.Request providerRequest = newProxyToServerRequest(gatewayRequest, rewriteHttpURI(gatewayRequest));
        providerRequest.attribute(CALL, call)
                .idleTimeout(config.idleTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .body(new BytesRequestContent("application/json", call.body.bytes()));
        copyRequestHeaders(gatewayRequest, providerRequest);
        addProxyHeaders(gatewayRequest, providerRequest);
        sendProxyToServerRequest(gatewayRequest, providerRequest, gatewayResponse, callback);
        return true;
    }

    private ModelCall admit(Request gatewayRequest) {
        String path = Request.getPathInContext(gatewayRequest);
        if (!path.startsWith(PREFIX) || path.indexOf('/', PREFIX.length()) < 0) {
            throw new ChowderException(ErrorCode.NOT_FOUND, "Not found: this endpoint relays /providers/<name>/<call> only.");
        }
        int slash = path.indexOf('/', PREFIX.length());
        ModelProviderName provider;
        try {
            provider = new ModelProviderName(path.substring(PREFIX.length(), slash));
        } catch (ChowderException e) {
            throw new ChowderException(ErrorCode.NOT_FOUND, "Not found: no such provider.");
        }
        String call = path.substring(slash + 1);
        if (!HttpMethod.POST.is(gatewayRequest.getMethod())) {
            throw new ChowderException(ErrorCode.NOT_FOUND, "Not found: model calls are POST.");
        }
        ModelCallGrant grant = calls.authorize(credential(gatewayRequest), provider);
        if (!call.equals(grant.api().path())) {
            throw new ChowderException(ErrorCode.NOT_FOUND, "Not found: provider " + provider + " is called at /providers/" + provider
                    + "/" + grant.api().path() + " only.");
        }
        // Refused for its body (a model not offered, say): it never reaches the provider, so it is no model call to meter.
        return new ModelCall(provider, grant, ModelCallBody.of(body(gatewayRequest), grant.api(), grant.models()));
    }

    private static String credential(Request gatewayRequest) {
        String authorization = gatewayRequest.getHeaders().get(HttpHeader.AUTHORIZATION);
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return authorization.substring(7).strip();
        }
        String apiKey = gatewayRequest.getHeaders().get("x-api-key");
        if (apiKey != null) {
            return apiKey.strip();
        }
        throw new ChowderException(ErrorCode.MISSING_API_KEY, "A model call needs its instance's credential (Authorization: Bearer, or x-api-key).");
    }

    private byte[] body(Request gatewayRequest) {
        long declared = gatewayRequest.getLength();
        if (declared > config.maxRequestBytes()) {
            throw new ChowderException(ErrorCode.PAYLOAD_TOO_LARGE, "A model call is at most " + config.maxRequestBytes() + " bytes.");
        }
        try (InputStream in = Content.Source.asInputStream(gatewayRequest)) {
            byte[] bytes = in.readNBytes(config.maxRequestBytes() + 1);
            if (bytes.length > config.maxRequestBytes()) {
                throw new ChowderException(ErrorCode.PAYLOAD_TOO_LARGE, "A model call is at most " + config.maxRequestBytes() + " bytes.");
            }
            return bytes;
        } catch (IOException e) {
            throw ChowderException.invalidRequest("The model call's body could not be read.");
        }
    }

    @Override
    protected HttpURI rewriteHttpURI(Request gatewayRequest) {
        return HttpURI.from(((ModelCall) gatewayRequest.getAttribute(CALL)).upstream());
    }

    @Override
    protected void copyRequestHeaders(Request gatewayRequest, org.eclipse.jetty.client.Request providerRequest) {
        ModelCall call = (ModelCall) providerRequest.getAttributes().get(CALL);
        providerRequest.headers(headers -> {
            headers.remove(HttpHeader.ACCEPT_ENCODING);
            for (HttpField field : gatewayRequest.getHeaders()) {
                if (FORWARDED_REQUEST_HEADERS.contains(field.getLowerCaseName()) && field.getHeader() != HttpHeader.CONTENT_TYPE) {
                    headers.add(field);
                }
            }
            call.grant.key().ifPresent(key -> {
                if (call.grant.api() == ModelApi.ANTHROPIC_MESSAGES) {
                    headers.put("x-api-key", key.value());
                } else {
                    headers.put(HttpHeader.AUTHORIZATION, "Bearer " + key.value());
                }
            });
        });
    }

    /** No {@code Via} or {@code Forwarded}: a provider has no business knowing Chowder's addresses. */
    @Override
    protected void addProxyHeaders(Request gatewayRequest, org.eclipse.jetty.client.Request providerRequest) {
    }

    @Override
    protected HttpField filterServerToProxyResponseField(HttpField field) {
        return RETURNED_RESPONSE_HEADERS.contains(field.getLowerCaseName()) ? field : null;
    }

    @Override
    protected org.eclipse.jetty.client.Response.CompleteListener newServerToProxyResponseListener(Request gatewayRequest,
            org.eclipse.jetty.client.Request providerRequest, Response gatewayResponse, Callback callback) {
        ModelCall call = (ModelCall) providerRequest.getAttributes().get(CALL);
        return new ProxyResponseListener(gatewayRequest, providerRequest, gatewayResponse, callback) {
            @Override
            public void onHeaders(org.eclipse.jetty.client.Response providerResponse) {
                call.status = providerResponse.getStatus();
                String type = providerResponse.getHeaders().get(HttpHeader.CONTENT_TYPE);
                boolean stream = type != null && type.toLowerCase(Locale.ROOT).startsWith("text/event-stream");
                call.tap = new UsageTap(call.grant.api(), stream, config.maxUsageBytes());
                super.onHeaders(providerResponse);
            }

            @Override
            public void onContent(org.eclipse.jetty.client.Response providerResponse, Content.Chunk chunk, Runnable demander) {
                UsageTap tap = call.tap;
                if (tap != null && call.status / 100 == 2) {
                    tap.accept(chunk.getByteBuffer());
                }
                super.onContent(providerResponse, chunk, demander);
            }
        };
    }

    @Override
    protected void onProxyToClientResponseComplete(Request gatewayRequest, org.eclipse.jetty.client.Request providerRequest,
            org.eclipse.jetty.client.Response providerResponse, Response gatewayResponse, Callback callback) {
        finish((ModelCall) providerRequest.getAttributes().get(CALL), true);
        super.onProxyToClientResponseComplete(gatewayRequest, providerRequest, providerResponse, gatewayResponse, callback);
    }

    @Override
    protected void onProxyToClientResponseFailure(Request gatewayRequest, org.eclipse.jetty.client.Request providerRequest,
            org.eclipse.jetty.client.Response providerResponse, Response gatewayResponse, Callback callback, Throwable failure) {
        // The gateway went away (its turn was cancelled): the provider's call was aborted; what it reported so far counts.
        finish((ModelCall) providerRequest.getAttributes().get(CALL), true);
        super.onProxyToClientResponseFailure(gatewayRequest, providerRequest, providerResponse, gatewayResponse, callback, failure);
    }

    @Override
    protected void onServerToProxyResponseFailure(Request gatewayRequest, org.eclipse.jetty.client.Request providerRequest,
            org.eclipse.jetty.client.Response providerResponse, Response gatewayResponse, Callback callback, Throwable failure) {
        ModelCall call = (ModelCall) providerRequest.getAttributes().get(CALL);
        finish(call, false);
        log.warn("Model provider {} failed for a call to {}: {}", call.provider, call.upstream().getHost(), shorten(String.valueOf(failure)));
        if (gatewayResponse.isCommitted()) {
            // Part of the answer is out: all that is left is to end it broken, so the gateway sees a failed call.
            callback.failed(failure);
            return;
        }
        boolean timeout = failure instanceof java.util.concurrent.TimeoutException;
        refuse(gatewayResponse, callback, timeout ? 504 : 502, "provider_unavailable", timeout
                ? "The model provider did not answer in time." : "The model provider could not be reached.");
    }

    private void finish(ModelCall call, boolean answered) {
        if (!call.metered.compareAndSet(false, true)) {
            return;
        }
        UsageTap tap = call.tap;
        ModelTokens tokens = tap == null || call.status / 100 != 2 ? ModelTokens.NONE : tap.finish();
        String outcome = !answered ? "failed" : call.status / 100 == 2 ? "ok" : "provider_error";
        String organization = call.grant.organization().toString();
        Counter.builder("chowder_model_requests_total").description("Model calls of provisioned gateways through Chowder's model endpoint")
                .tag("organization", organization).tag("provider", call.provider.value()).tag("outcome", outcome)
                .register(registry).increment();
        count(organization, call.provider, "input", tokens.inputTokens());
        count(organization, call.provider, "output", tokens.outputTokens());
        count(organization, call.provider, "cached_input", tokens.cachedInputTokens());
        try {
            call.grant.meter().finished(tokens);
        } catch (RuntimeException e) {
            log.warn("Metering a model call of organization {} failed: {}", organization, e.toString());
        }
    }

    private void count(String organization, ModelProviderName provider, String type, long tokens) {
        if (tokens > 0) {
            Counter.builder("chowder_model_tokens_total").description("Tokens of model calls as providers reported them")
                    .tag("organization", organization).tag("provider", provider.value()).tag("type", type)
                    .register(registry).increment(tokens);
        }
    }

    /** An answer of Chowder's own, readable by OpenAI's and Anthropic's clients ({@code error.message}) and as Chowder's ({@code detail}). */
    private void refuse(Response gatewayResponse, Callback callback, int status, String type, String message) {
        ObjectNode body = JSON.createObjectNode().put("detail", message);
        body.putObject("error").put("type", type).put("message", message);
        gatewayResponse.setStatus(status);
        gatewayResponse.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        if (status < 500) {
            Counter.builder("chowder_model_refused_total").description("Model calls Chowder's model endpoint refused, by reason")
                    .tag("reason", type).register(registry).increment();
        }
        try {
            gatewayResponse.write(true, ByteBuffer.wrap(JSON.writeValueAsBytes(body)), callback);
        } catch (IOException e) {
            callback.failed(e);
        }
    }

    private static String shorten(String text) {
        return text.length() <= 300 ? text : text.substring(0, 300) + "…";
    }
}
