package chowder.adapter.http.model;

import static java.util.Objects.requireNonNull;

import chowder.application.port.in.AuthorizeModelCallUseCase;
import chowder.domain.ChowderException;
import chowder.domain.MemoryBudget;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
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
 * Before relaying, in this order: the path must be {@code /providers/<name>/<the provider format's one call>}, the
 * credential one Chowder gave a running instance for that provider ({@code Authorization: Bearer} or Anthropic's
 * {@code x-api-key}), the instance and its organization under their bounds of calls at once ({@link InFlightCalls}),
 * the body one Chowder and the provider read alike and asking for nothing a tenant may not have ({@link ModelCallBody}),
 * and the organization's rate and budgets not spent (which reserves an estimate of the call's tokens). Upstream it
 * carries the organization's (or the operator's) key, and of the gateway's headers only those a provider's API needs:
 * nothing the agent adds (an {@code OpenAI-Organization} header could bill another project of the operator's account)
 * gets through, nor a beta the operator did not list; only the answer's content type and retry hints come back
 * (rate-limit headers of a shared operator key would tell one tenant what the others use), and a provider's error body
 * only where it tells nothing of the account ({@link ProviderErrors}). When the call ends its usage, read from the
 * relayed bytes ({@link UsageTap}), or an estimate when the provider reported none, is charged off the relay's threads.
 *
 * <p>Here the gateway is the client and the provider the server: {@code gatewayRequest}, {@code providerRequest},
 * {@code providerResponse}, {@code gatewayResponse} in Jetty's terms of client-to-proxy, proxy-to-server and back.
 */
final class ModelProxyHandler extends ProxyHandler {
    static final String PREFIX = "/providers/";
    private static final Logger log = LoggerFactory.getLogger(ModelProxyHandler.class);
    private static final String CALL = ModelProxyHandler.class.getName() + ".call";
    /** What the gateway needs of the provider's answer. */
    private static final Set<String> RETURNED_RESPONSE_HEADERS = Set.of("content-type", "retry-after", "retry-after-ms");

    private final ModelEndpointConfig config;
    private final ModelCallMetrics metrics;
    private final ModelCallAdmission admission;
    private final ProviderRequestHeaders headers;
    private final MeteringExecutor metering;
    private final JsonFactory usageJson;

    ModelProxyHandler(AuthorizeModelCallUseCase calls, ModelEndpointConfig config, MeterRegistry registry, MeteringExecutor metering,
            MemoryBudget heldBodies) {
        this.config = requireNonNull(config, "config is null");
        this.metrics = new ModelCallMetrics(registry);
        this.metering = requireNonNull(metering, "metering is null");
        this.headers = new ProviderRequestHeaders(config.anthropicBetas());
        this.admission = new ModelCallAdmission(requireNonNull(calls, "calls is null"), config,
                new InFlightCalls(config.maxCallsPerInstance(), config.maxCallsPerOrganization()), requireNonNull(heldBodies, "heldBodies is null"));
        this.usageJson = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(config.maxUsageBytes()).build())
                .build();
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
            call = admission.admit(gatewayRequest);
        } catch (RuntimeException e) {
            // A body left unread (refused for its credential, path or size) is drained after the answer (UnreadBodyLinger).
            if (e instanceof ModelCallRefused refused && refused.endsConnection()) {
                gatewayResponse.getHeaders().put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE.asString());
            }
            refuse(gatewayResponse, callback, refusal(e));
            return true;
        }
        gatewayRequest.setAttribute(CALL, call);
        org.eclipse.jetty.client.Request providerRequest;
        try {
            providerRequest = newProxyToServerRequest(gatewayRequest, rewriteHttpURI(gatewayRequest));
            providerRequest.attribute(CALL, call)
                    .idleTimeout(config.idleTimeout().toMillis(), TimeUnit.MILLISECONDS)
                    .body(new BytesRequestContent("application/json", call.body.bytes()));
            copyRequestHeaders(gatewayRequest, providerRequest);
            addProxyHeaders(gatewayRequest, providerRequest);
        } catch (RuntimeException e) {
            // Never sent, so no listener will end it: its place, its body and its reservation are given back here.
            finish(call, false);
            refuse(gatewayResponse, callback, refusal(e));
            return true;
        }
        sendProxyToServerRequest(gatewayRequest, providerRequest, gatewayResponse, callback);
        return true;
    }

    private static Refusal refusal(RuntimeException e) {
        if (e instanceof ModelCallRefused refused) {
            return refused.refusal();
        }
        if (e instanceof ChowderException chowder) {
            return Refusal.of(chowder);
        }
        log.error("Admitting a model call failed", e);
        return new Refusal(500, "internal_error", "internal_error", "Chowder could not admit this model call.", OptionalLong.empty());
    }

    @Override
    protected HttpURI rewriteHttpURI(Request gatewayRequest) {
        return HttpURI.from(((ModelCall) gatewayRequest.getAttribute(CALL)).upstream());
    }

    @Override
    protected void copyRequestHeaders(Request gatewayRequest, org.eclipse.jetty.client.Request providerRequest) {
        ModelCall call = (ModelCall) providerRequest.getAttributes().get(CALL);
        headers.copy(gatewayRequest, providerRequest, call);
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
                int status = providerResponse.getStatus();
                call.status = status;
                if (ProviderErrors.replaces(status, call.grant.account())) {
                    // The provider's body is read (a little of it) to classify it, and never relayed.
                    call.replacedError = new ByteArrayOutputStream();
                    gatewayResponse.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
                    for (HttpField field : providerResponse.getHeaders()) {
                        if (!field.is(HttpHeader.CONTENT_TYPE.asString()) && filterServerToProxyResponseField(field) != null) {
                            gatewayResponse.getHeaders().add(field);
                        }
                    }
                    return;
                }
                if (status / 100 == 2) {
                    String type = providerResponse.getHeaders().get(HttpHeader.CONTENT_TYPE);
                    call.stream = type != null && type.toLowerCase(Locale.ROOT).startsWith("text/event-stream");
                    call.tap = new UsageTap(call.grant.api(), call.stream, usageJson);
                }
                super.onHeaders(providerResponse);
            }

            @Override
            public void onContent(org.eclipse.jetty.client.Response providerResponse, Content.Chunk chunk, Runnable demander) {
                ByteArrayOutputStream replaced = call.replacedError;
                if (replaced != null) {
                    ByteBuffer bytes = chunk.getByteBuffer().slice();
                    int kept = Math.min(bytes.remaining(), ProviderErrors.MAX_READ - replaced.size());
                    if (kept > 0) {
                        byte[] part = new byte[kept];
                        bytes.get(part);
                        replaced.writeBytes(part);
                    }
                    demander.run();
                    return;
                }
                UsageTap tap = call.tap;
                if (tap != null) {
                    tap.accept(chunk.getByteBuffer());
                }
                super.onContent(providerResponse, chunk, demander);
            }

            @Override
            public void onSuccess(org.eclipse.jetty.client.Response providerResponse) {
                call.answerComplete = true;
                // Freed before the answer's end goes out: a gateway that makes its next call the moment it has this
                // answer finds the place free.
                call.slot.close();
                ByteArrayOutputStream replaced = call.replacedError;
                if (replaced == null) {
                    super.onSuccess(providerResponse);
                    return;
                }
                byte[] body = ProviderErrors.body(call.status, call.grant.account(), call.provider, replaced.toByteArray());
                gatewayResponse.write(true, ByteBuffer.wrap(body), this);
            }
        };
    }

    @Override
    protected void onProxyToClientResponseComplete(Request gatewayRequest, org.eclipse.jetty.client.Request providerRequest,
            org.eclipse.jetty.client.Response providerResponse, Response gatewayResponse, Callback callback) {
        finish((ModelCall) providerRequest.getAttributes().get(CALL), false);
        super.onProxyToClientResponseComplete(gatewayRequest, providerRequest, providerResponse, gatewayResponse, callback);
    }

    @Override
    protected void onProxyToClientResponseFailure(Request gatewayRequest, org.eclipse.jetty.client.Request providerRequest,
            org.eclipse.jetty.client.Response providerResponse, Response gatewayResponse, Callback callback, Throwable failure) {
        // The gateway went away (its turn was cancelled): the provider's call was aborted; it is charged what it used so far.
        finish((ModelCall) providerRequest.getAttributes().get(CALL), false);
        super.onProxyToClientResponseFailure(gatewayRequest, providerRequest, providerResponse, gatewayResponse, callback, failure);
    }

    @Override
    protected void onServerToProxyResponseFailure(Request gatewayRequest, org.eclipse.jetty.client.Request providerRequest,
            org.eclipse.jetty.client.Response providerResponse, Response gatewayResponse, Callback callback, Throwable failure) {
        ModelCall call = (ModelCall) providerRequest.getAttributes().get(CALL);
        boolean timeout = failure instanceof TimeoutException;
        finish(call, timeout);
        log.warn("Model provider {} failed for a call to {}: {}", call.provider, call.upstream().getHost(), shorten(String.valueOf(failure)));
        if (gatewayResponse.isCommitted()) {
            // Part of the answer is out: all that is left is to end it broken, so the gateway sees a failed call.
            callback.failed(failure);
            return;
        }
        refuse(gatewayResponse, callback, new Refusal(timeout ? 504 : 502, "provider_unavailable", "provider_unavailable", timeout
                ? "The model provider did not answer in time." : "The model provider could not be reached.", OptionalLong.empty()));
    }

    /** Ends a call once: frees its place at once, and hands its charge ({@link ModelCall#charge}) to the metering threads. */
    private void finish(ModelCall call, boolean providerTimedOut) {
        if (!call.ended.compareAndSet(false, true)) {
            return;
        }
        call.slot.close();
        call.heldBody.close();
        CallCharge charge = call.charge(providerTimedOut);
        metrics.ended(call.grant.organization(), call.provider, charge);
        metering.execute(() -> {
            try {
                call.meter.finished(charge.tokens());
            } catch (RuntimeException e) {
                log.warn("Metering a model call of organization {} failed: {}", call.grant.organization(), e.toString());
            }
        });
    }

    /** An answer of Chowder's own, readable by OpenAI's and Anthropic's clients ({@code error.message}) and as Chowder's ({@code detail}). */
    private void refuse(Response gatewayResponse, Callback callback, Refusal refusal) {
        gatewayResponse.setStatus(refusal.status());
        gatewayResponse.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        refusal.retryAfterSeconds().ifPresent(seconds -> gatewayResponse.getHeaders().put(HttpHeader.RETRY_AFTER, Long.toString(seconds)));
        // Refused by Chowder (503: the memory for bodies is spent); not a provider that failed (502, 504) nor a fault (500).
        if (refusal.status() < 500 || refusal.status() == 503) {
            metrics.refused(refusal.reason());
        }
        gatewayResponse.write(true, ByteBuffer.wrap(refusal.json()), callback);
    }

    private static String shorten(String text) {
        return text.length() <= 300 ? text : text.substring(0, 300) + "…";
    }
}
