package chowder.adapter.http.model;

import static java.util.Objects.requireNonNull;

import chowder.domain.ChowderException;
import chowder.domain.LimitExceededException;
import chowder.domain.OverloadedException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * A model call Chowder answers itself instead of relaying: its status, the {@code error.type} an OpenAI or Anthropic
 * client reads, the reason it is counted under ({@code chowder_model_refused_total{reason}}; a short, fixed word), the
 * message ({@code detail} and {@code error.message}), and the seconds before a retry may pass ({@code Retry-After}).
 */
record Refusal(int status, String type, String reason, String message, OptionalLong retryAfterSeconds) {
    Refusal {
        requireNonNull(type, "type is null");
        requireNonNull(reason, "reason is null");
        requireNonNull(message, "message is null");
        requireNonNull(retryAfterSeconds, "retryAfterSeconds is null");
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Chowder's answer: readable by OpenAI's and Anthropic's clients ({@code error.message}) and as Chowder's ({@code detail}). */
    byte[] json() {
        ObjectNode body = JSON.createObjectNode().put("detail", message);
        body.putObject("error").put("type", type).put("message", message);
        try {
            return JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree could not be written", e);
        }
    }

    /** A body a provider could read otherwise than Chowder did, or one that asks for what a tenant must not have: 400. */
    static Refusal badRequest(String reason, String message) {
        return new Refusal(400, "invalid_request", reason, message, OptionalLong.empty());
    }

    /** Too many calls of one instance or organization at once: OpenAI's "rate_limit_exceeded", retried in a second. */
    static Refusal busy(String message) {
        return new Refusal(429, "rate_limit_exceeded", "concurrent_calls", message, OptionalLong.of(1));
    }

    /**
     * A refusal of the application's: a spent budget is OpenAI's "insufficient_quota", which clients do not retry; a
     * spent rate "rate_limit_exceeded"; anything else its error code.
     */
    static Refusal of(ChowderException e) {
        if (e instanceof LimitExceededException limit) {
            String type = limit.budget() ? "insufficient_quota" : "rate_limit_exceeded";
            return new Refusal(429, type, type, e.getMessage(), OptionalLong.of(limit.retryAfterSeconds()));
        }
        if (e instanceof OverloadedException overloaded) {
            // Memory Chowder holds for calls is spent for now (the organization's share, or all): as busy as a provider.
            return new Refusal(503, "overloaded_error", "overloaded", e.getMessage(), OptionalLong.of(overloaded.retryAfterSeconds()));
        }
        int status = switch (e.code()) {
            case INVALID_API_KEY, MISSING_API_KEY -> 401;
            case PERMISSION_DENIED, ORGANIZATION_SUSPENDED -> 403;
            case NOT_FOUND -> 404;
            case PAYLOAD_TOO_LARGE -> 413;
            case INVALID_REQUEST, VALIDATION_FAILED -> 400;
            default -> 500;
        };
        String code = e.code().name().toLowerCase(Locale.ROOT);
        return new Refusal(status, code, code, e.getMessage(), OptionalLong.empty());
    }
}
