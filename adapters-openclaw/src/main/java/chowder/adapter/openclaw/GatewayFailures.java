package chowder.adapter.openclaw;

import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.GatewayRejectedException;
import chowder.domain.Instance;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.http.HttpHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a gateway's failure becomes: the Chowder error a tenant sees, and for the operator a log line with the precise
 * cause. Messages never contain the gateway token.
 */
final class GatewayFailures {
    private static final int MAX_ERROR_MESSAGE_LENGTH = 500;
    private static final ObjectMapper JSON = new ObjectMapper();
    // The operator's lines stay under the client's name, where they have always been looked for.
    private static final Logger log = LoggerFactory.getLogger(OpenClawGatewayClient.class);

    private GatewayFailures() {}

    /** The gateway sent no response headers within the headers timeout (Chowder's own timer, not Jetty's). */
    static final class HeadersTimeout extends TimeoutException {
        private final Duration after;

        HeadersTimeout(Duration after) {
            super("no response headers within " + after);
            this.after = after;
        }
    }

    /** A non-2xx answer, with the first bytes of its body. */
    static ChowderException ofStatus(Instance instance, Response gatewayResponse, byte[] body) {
        int status = gatewayResponse.getStatus();
        if (status == 401 || status == 403) {
            log.warn("The gateway of instance {} answered {}: the instance's gateway_token is wrong or was rotated on the gateway",
                    instance.id(), status);
            return new ChowderException(ErrorCode.GATEWAY_CREDENTIALS_REJECTED, OpenClawGatewayClient.UNREACHABLE);
        }
        if (status >= 400 && status < 500) {
            return new GatewayRejectedException(status, errorMessage(body, status),
                    Optional.ofNullable(gatewayResponse.getHeaders().get(HttpHeader.RETRY_AFTER)));
        }
        if (status >= 300 && status < 400) {
            return new ChowderException(ErrorCode.GATEWAY_FAILED,
                    "Gateway error – it answered a redirect (" + status + "), which Chowder does not follow; check the instance's gateway_url.");
        }
        return new ChowderException(ErrorCode.GATEWAY_FAILED, "Gateway error – it answered " + status + ": " + errorMessage(body, status));
    }

    /**
     * Chowder sends no {@code Accept-Encoding} and decodes nothing, so that answers are relayed byte for byte; a
     * gateway that compresses anyway (RFC 9110 §12.5.3 allows it) would hand the client bytes it cannot read.
     */
    static void requireNoContentCoding(Response gatewayResponse) {
        String coding = gatewayResponse.getHeaders().get(HttpHeader.CONTENT_ENCODING);
        if (coding != null && !coding.isBlank() && !coding.strip().equalsIgnoreCase("identity")) {
            throw new ChowderException(ErrorCode.GATEWAY_FAILED, "Gateway error – it answered with Content-Encoding '"
                    + shortened(coding.strip()) + "', which Chowder did not ask for and does not decode.");
        }
    }

    static String contentType(Response response, String otherwise) {
        return Optional.ofNullable(response.getHeaders().get(HttpHeader.CONTENT_TYPE)).orElse(otherwise);
    }

    static ChowderException tooLarge(long limit) {
        return new ChowderException(ErrorCode.GATEWAY_FAILED, "Gateway error – its answer is larger than the limit of " + limit + " bytes.");
    }

    /** A failure before any response arrived: the gateway could not be reached or did not speak HTTP. */
    static ChowderException beforeAnswer(Instance instance, Throwable cause) {
        if (cause instanceof HeadersTimeout headers) {
            return timeout("did not start answering within " + headers.after.toSeconds() + " s");
        }
        if (cause instanceof TimeoutException) {
            return timeout("did not answer in time");
        }
        if (cause instanceof CancellationException || cause instanceof InterruptedException) {
            return cancelled();
        }
        if (cause instanceof PolicyCheckingResolver.ForbiddenGatewayAddressException) {
            // Chowder's own rule, also enforced at registration: it says nothing about what listens at the address.
            return new ChowderException(ErrorCode.GATEWAY_UNAVAILABLE,
                    "Gateway unavailable – its host resolves to an address outside the allowed networks.");
        }
        String reason = switch (cause) {
            case org.eclipse.jetty.http.BadMessageException e -> "its answer is not valid HTTP";
            case org.eclipse.jetty.client.HttpResponseException e -> "its answer is not valid HTTP";
            case java.net.ConnectException e -> "the connection was refused";
            case java.net.SocketTimeoutException e -> "the connection timed out";
            case java.net.UnknownHostException e -> "its host name does not resolve";
            case java.net.NoRouteToHostException e -> "there is no route to its host";
            case java.io.EOFException e -> "it closed the connection without answering";
            case javax.net.ssl.SSLException e -> "TLS failed";
            case null, default -> "the connection failed";
        };
        // The cause's own text (no token: that travels only in a header) helps the operator, never the tenant.
        log.warn("The gateway of instance {} could not be reached: {} ({})", instance.id(), reason, describe(cause));
        return new ChowderException(ErrorCode.GATEWAY_UNAVAILABLE, OpenClawGatewayClient.UNREACHABLE);
    }

    /** A failure while the answer's body was arriving (an I/O error wraps Jetty's cause, as a blocking read saw it). */
    static ChowderException midAnswer(Throwable failure) {
        Throwable cause = failure instanceof IOException && failure.getCause() != null ? failure.getCause() : failure;
        if (failure instanceof java.io.InterruptedIOException && !(failure instanceof java.net.SocketTimeoutException)
                || cause instanceof InterruptedException || cause instanceof CancellationException) {
            return cancelled();
        }
        if (cause instanceof TimeoutException) {
            return timeout("went silent or ran past the time limit while answering");
        }
        return new ChowderException(ErrorCode.GATEWAY_FAILED, "Gateway error – the connection broke while it was answering.");
    }

    /** A failure's class and message for the operator's log, shortened: Jetty's messages can dump a whole connection. */
    static String describe(Throwable failure) {
        if (failure == null) {
            return "no cause";
        }
        String text = failure.toString();
        return text.length() > 300 ? text.substring(0, 300) + "…" : text;
    }

    private static ChowderException timeout(String what) {
        return new ChowderException(ErrorCode.GATEWAY_TIMEOUT, "Gateway timeout – the instance's gateway " + what + ".");
    }

    private static ChowderException cancelled() {
        return new ChowderException(ErrorCode.REQUEST_CANCELLED, "The request was cancelled: the client went away.");
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

    private static String shortened(String text) {
        return text.length() > 40 ? text.substring(0, 40) + "…" : text;
    }
}
