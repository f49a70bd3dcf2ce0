package chowder.adapter.openclaw;

import static java.util.Objects.requireNonNull;

import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.Instance;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls one method of a gateway's WebSocket protocol (OpenClaw's {@code docs/gateway/protocol/}, protocol 4): answer
 * the {@code connect.challenge} with {@code connect} as the reserved backend client ({@code gateway-client},
 * mode {@code backend}) with the gateway token, which a gateway accepts without a device identity from loopback
 * only; then the request; then close. One connection per call: these are rare operator calls, not the hot path.
 */
public final class GatewayRpc {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PROTOCOL = 4;
    /** A skills inventory is tens of kilobytes; nothing this client asks for comes near. */
    private static final int MAX_FRAME_CHARS = 2 * 1024 * 1024;
    private static final Logger LOG = LoggerFactory.getLogger(GatewayRpc.class);

    private final HttpClient http;

    public GatewayRpc() {
        // No cookie handler, no redirects: the JDK client's defaults.
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    }

    /**
     * The payload of a successful answer; a refused call is a {@code GATEWAY_FAILED} error with the gateway's message
     * (which holds no secret of ours).
     */
    public JsonNode call(Instance instance, String method, ObjectNode params, Duration timeout) {
        return payload(method, answer(instance, method, params, timeout));
    }

    /**
     * {@link #call} for a method that only reads: an attempt the gateway leaves unanswered for half of {@code timeout} is
     * given up and made once more on a fresh connection, within the same {@code timeout}. A gateway has been seen to leave
     * one such call unanswered for good among many answered at once (a {@code skills.status} right after a config reload
     * and an agent's turn); a call that changes something is never repeated this way, as it may have been done.
     */
    public JsonNode read(Instance instance, String method, ObjectNode params, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Duration firstAttempt = timeout.dividedBy(2);
        try {
            return payload(method, exchange(instance, method, params, firstAttempt));
        } catch (TimeoutException e) {
            LOG.warn("Gateway of instance {} left {} unanswered for {} ms; asking again on a new connection", instance.id(), method,
                    firstAttempt.toMillis());
        }
        try {
            return payload(method, exchange(instance, method, params, Duration.ofNanos(Math.max(0, deadline - System.nanoTime()))));
        } catch (TimeoutException e) {
            throw timedOut(method, timeout);
        }
    }

    /** The gateway's answer to the call, a refusal included; a refused connect is {@code GATEWAY_CREDENTIALS_REJECTED}. */
    public Answer answer(Instance instance, String method, ObjectNode params, Duration timeout) {
        try {
            return exchange(instance, method, params, timeout);
        } catch (TimeoutException e) {
            throw timedOut(method, timeout);
        }
    }

    private static JsonNode payload(String method, Answer answer) {
        if (answer.refusal().isPresent()) {
            throw new ChowderException(ErrorCode.GATEWAY_FAILED, "Gateway error – " + method + " failed: " + answer.refusal().get());
        }
        return answer.payload();
    }

    private static ChowderException timedOut(String method, Duration timeout) {
        return new ChowderException(ErrorCode.GATEWAY_TIMEOUT, "Gateway timeout – " + method + " did not answer within "
                + timeout.toSeconds() + " s.");
    }

    /** One connection, one call, answered within {@code timeout} from the connection's start. */
    private Answer exchange(Instance instance, String method, ObjectNode params, Duration timeout) throws TimeoutException {
        URI uri = URI.create("ws://" + instance.gatewayUrl().value().getHost() + ":" + instance.gatewayUrl().value().getPort() + "/");
        Exchange exchange = new Exchange(instance.gatewayToken().value(), method, params);
        long deadline = System.nanoTime() + timeout.toNanos();
        CompletableFuture<WebSocket> opening = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10)).buildAsync(uri, exchange);
        WebSocket socket = null;
        try {
            socket = opening.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return exchange.result.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            // A connection that opens after all is closed then, before it can send the call given up on.
            opening.thenAccept(WebSocket::abort);
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ChowderException(ErrorCode.GATEWAY_UNAVAILABLE, "Gateway unavailable – interrupted.");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ChowderException answered) {
                throw answered;
            }
            throw new ChowderException(ErrorCode.GATEWAY_UNAVAILABLE, "Gateway unavailable – its WebSocket could not be reached ("
                    + e.getCause().getClass().getSimpleName() + "); is it still starting?");
        } finally {
            if (socket != null) {
                socket.abort();
            }
        }
    }

    /** The frames of one call: challenge, connect, request, answer. */
    private static final class Exchange implements WebSocket.Listener {
        private final String token;
        private final String method;
        private final ObjectNode params;
        private final String connectId = "connect-" + UUID.randomUUID();
        private final String callId = "call-" + UUID.randomUUID();
        private final StringBuilder frame = new StringBuilder();
        final CompletableFuture<Answer> result = new CompletableFuture<>();

        Exchange(String token, String method, ObjectNode params) {
            this.token = requireNonNull(token, "token is null");
            this.method = requireNonNull(method, "method is null");
            this.params = requireNonNull(params, "params is null");
        }

        @Override
        public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
            if (frame.length() + data.length() > MAX_FRAME_CHARS) {
                result.completeExceptionally(new ChowderException(ErrorCode.GATEWAY_FAILED, "Gateway error – a " + method
                        + " answer over " + MAX_FRAME_CHARS + " characters."));
                return null;
            }
            frame.append(data);
            if (last) {
                String text = frame.toString();
                frame.setLength(0);
                try {
                    handle(socket, JSON.readTree(text));
                } catch (Exception e) {
                    result.completeExceptionally(e instanceof ChowderException ? e : new ChowderException(ErrorCode.GATEWAY_FAILED,
                            "Gateway error – an unreadable WebSocket frame."));
                }
            }
            socket.request(1);
            return null;
        }

        private void handle(WebSocket socket, JsonNode message) {
            String type = message.path("type").asText();
            if ("event".equals(type) && "connect.challenge".equals(message.path("event").asText())) {
                ObjectNode connect = JSON.createObjectNode().put("type", "req").put("id", connectId).put("method", "connect");
                ObjectNode connectParams = connect.putObject("params").put("minProtocol", PROTOCOL).put("maxProtocol", PROTOCOL)
                        .put("role", "operator");
                connectParams.putObject("client").put("id", "gateway-client").put("version", "chowder").put("platform", "linux")
                        .put("mode", "backend");
                connectParams.putArray("scopes").add("operator.read").add("operator.admin");
                connectParams.putArray("caps");
                connectParams.putObject("auth").put("token", token);
                socket.sendText(connect.toString(), true);
            } else if ("res".equals(type) && connectId.equals(message.path("id").asText())) {
                if (!message.path("ok").asBoolean()) {
                    result.completeExceptionally(new ChowderException(ErrorCode.GATEWAY_CREDENTIALS_REJECTED,
                            "Gateway credentials rejected – the WebSocket connect was refused: " + errorOf(message)));
                    return;
                }
                ObjectNode request = JSON.createObjectNode().put("type", "req").put("id", callId).put("method", method);
                request.set("params", params);
                socket.sendText(request.toString(), true);
            } else if ("res".equals(type) && callId.equals(message.path("id").asText())) {
                result.complete(message.path("ok").asBoolean()
                        ? new Answer(message.path("payload"), java.util.Optional.empty())
                        : new Answer(message.path("payload"), java.util.Optional.of(errorOf(message))));
            }
        }

        @Override
        public CompletionStage<?> onClose(WebSocket socket, int status, String reason) {
            result.completeExceptionally(new ChowderException(ErrorCode.GATEWAY_FAILED, "Gateway error – the WebSocket closed ("
                    + status + (reason == null || reason.isBlank() ? "" : " " + reason) + ") before " + method + " answered."));
            return null;
        }

        @Override
        public void onError(WebSocket socket, Throwable error) {
            result.completeExceptionally(error);
        }
    }

    private static String errorOf(JsonNode message) {
        // The gateway is the tenant's: its text goes into answers and logs one line long, without control characters.
        String text = message.path("error").path("message").asText("no reason given").replaceAll("\\p{Cntrl}", " ");
        return text.length() > 500 ? text.substring(0, 500) + "…" : text;
    }

    /** What the gateway answered: its payload, and its error message when it refused the call. */
    public record Answer(JsonNode payload, java.util.Optional<String> refusal) {}
}
