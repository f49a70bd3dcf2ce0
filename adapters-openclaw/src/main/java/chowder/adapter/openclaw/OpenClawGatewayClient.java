package chowder.adapter.openclaw;

import static java.util.Objects.requireNonNull;

import chowder.application.port.out.AgentGatewayPort;
import chowder.application.port.out.GatewayResponse;
import chowder.application.port.out.ResponseRequest;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.GatewayRejectedException;
import chowder.domain.Instance;
import chowder.domain.SessionKey;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.InputStreamResponseListener;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;

/**
 * Forwards response requests to {@code {gateway_url}/v1/responses} with the gateway token as bearer
 * and the session in {@code x-openclaw-session-key}, and maps the gateway's failures to Chowder's
 * errors. Messages never contain the token; redirects are never followed.
 */
final class OpenClawGatewayClient implements AgentGatewayPort {
    static final String SESSION_KEY_HEADER = "x-openclaw-session-key";
    static final String MODEL_HEADER = "x-openclaw-model";
    private static final int MAX_ERROR_MESSAGE_LENGTH = 500;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final OpenClawGatewayConfig config;

    OpenClawGatewayClient(HttpClient http, OpenClawGatewayConfig config) {
        this.http = requireNonNull(http, "http is null");
        this.config = requireNonNull(config, "config is null");
    }

    @Override
    public GatewayResponse createResponse(Instance instance, SessionKey sessionKey, ResponseRequest request) {
        Request gatewayRequest = http.newRequest(instance.gatewayUrl().responsesEndpoint())
                .method(HttpMethod.POST)
                .timeout(config.responseTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .headers(headers -> {
                    headers.put(HttpHeader.AUTHORIZATION, "Bearer " + instance.gatewayToken().value());
                    headers.put(HttpHeader.ACCEPT, "application/json");
                    headers.put(SESSION_KEY_HEADER, sessionKey.value());
                    OpenClawRequestBody.modelHeader(request.model()).ifPresent(model -> headers.put(MODEL_HEADER, model));
                })
                .body(new BytesRequestContent("application/json", OpenClawRequestBody.withOpenClawModel(request.otherFieldsJson())));
        InputStreamResponseListener listener = new InputStreamResponseListener();
        gatewayRequest.send(listener);
        try {
            Response gatewayResponse = listener.get(config.responseTimeout().toMillis(), TimeUnit.MILLISECONDS);
            byte[] body = readBody(listener.getInputStream());
            return answer(gatewayResponse, body);
        } catch (TimeoutException e) {
            gatewayRequest.abort(e);
            throw timeout();
        } catch (ExecutionException e) {
            throw unavailable(e.getCause());
        } catch (IOException e) {
            throw e.getCause() instanceof TimeoutException ? timeout() : unavailable(e);
        } catch (InterruptedException e) {
            gatewayRequest.abort(e);
            Thread.currentThread().interrupt();
            throw new ChowderException(ErrorCode.GATEWAY_UNAVAILABLE, "Gateway unavailable – the request was interrupted.");
        }
    }

    private GatewayResponse answer(Response gatewayResponse, byte[] body) {
        int status = gatewayResponse.getStatus();
        if (status >= 200 && status < 300) {
            String contentType = Optional.ofNullable(gatewayResponse.getHeaders().get(HttpHeader.CONTENT_TYPE)).orElse("application/json");
            return new GatewayResponse(status, contentType, body);
        }
        if (status == 401 || status == 403) {
            throw new ChowderException(ErrorCode.GATEWAY_CREDENTIALS_REJECTED,
                    "Gateway rejected Chowder's credentials (" + status + ") – the instance's gateway_token is wrong or was rotated on the gateway.");
        }
        if (status >= 400 && status < 500) {
            throw new GatewayRejectedException(status, errorMessage(body, status),
                    Optional.ofNullable(gatewayResponse.getHeaders().get(HttpHeader.RETRY_AFTER)));
        }
        if (status >= 300 && status < 400) {
            throw new ChowderException(ErrorCode.GATEWAY_FAILED,
                    "Gateway error – it answered a redirect (" + status + "), which Chowder does not follow; check the instance's gateway_url.");
        }
        throw new ChowderException(ErrorCode.GATEWAY_FAILED, "Gateway error – it answered " + status + ": " + errorMessage(body, status));
    }

    private byte[] readBody(InputStream content) throws IOException {
        try (content) {
            byte[] body = content.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, config.maxResponseBytes() + 1));
            if (body.length > config.maxResponseBytes()) {
                throw new ChowderException(ErrorCode.GATEWAY_FAILED,
                        "Gateway error – its answer is larger than the limit of " + config.maxResponseBytes() + " bytes.");
            }
            return body;
        }
    }

    /** The gateway's own message ({@code error.message}, or {@code message}), else its body, shortened. */
    private static String errorMessage(byte[] body, int status) {
        String text = new String(body, StandardCharsets.UTF_8).strip();
        try {
            JsonNode json = JSON.readTree(text);
            JsonNode message = json.path("error").path("message");
            if (message.isMissingNode()) {
                message = json.path("message");
            }
            if (message.isTextual() && !message.asText().isBlank()) {
                text = message.asText();
            }
        } catch (IOException notJson) {
            // Not JSON: the body text itself is the best message there is.
        }
        if (text.isEmpty()) {
            return "HTTP " + status;
        }
        return text.length() > MAX_ERROR_MESSAGE_LENGTH ? text.substring(0, MAX_ERROR_MESSAGE_LENGTH) + "…" : text;
    }

    private static ChowderException timeout() {
        return new ChowderException(ErrorCode.GATEWAY_TIMEOUT, "Gateway timeout – the instance's gateway did not answer in time.");
    }

    private static ChowderException unavailable(Throwable cause) {
        if (cause instanceof TimeoutException) {
            return timeout();
        }
        String reason = switch (cause) {
            case ConnectException e -> "the connection was refused or timed out";
            case UnknownHostException e -> "its host name does not resolve";
            case NoRouteToHostException e -> "there is no route to its host";
            case null, default -> "the connection failed";
        };
        return new ChowderException(ErrorCode.GATEWAY_UNAVAILABLE,
                "Gateway unavailable – " + reason + ". Check that the instance's gateway is running and reachable from Chowder.");
    }
}
