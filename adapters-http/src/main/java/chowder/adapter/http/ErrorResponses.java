package chowder.adapter.http;

import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.GatewayRejectedException;
import chowder.domain.LimitExceededException;
import chowder.domain.OverloadedException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where errors become HTTP answers, in the hosted API's format: {@code {"detail": "…"}},
 * or {@code {"detail": {"error": "…"}}} when the gateway failed.
 */
public final class ErrorResponses {
    static final String UNREADABLE_BODY = "The request body could not be read: the connection broke or the chunked encoding is invalid.";
    private static final Logger log = LoggerFactory.getLogger(ErrorResponses.class);
    private static final String OVERLOADED_RETRY_AFTER_SECONDS = "1";

    private final ObjectMapper json;

    ErrorResponses(ObjectMapper json) {
        this.json = json;
    }

    void chowder(ChowderException error, Context ctx) {
        apply(answer(error, ctx.method().name(), routeOf(ctx)), ctx);
    }

    /**
     * The answer to {@code error} of a {@code method} request to {@code route} (a template), logged as its kind deserves:
     * a Chowder error, a body that could not be read, or anything else (a 500 that says nothing of its cause).
     */
    public Answer answer(Throwable error, String method, String route) {
        return switch (error) {
            case ChowderException chowder -> chowderAnswer(chowder, method, route);
            case UnreadableRequestBody unreadable -> {
                log.debug("{} {}: the request body could not be read ({})", method, route, unreadable.getCause().toString());
                MinimumBodyRate.TooSlow tooSlow = tooSlow(unreadable);
                // The rest of a body too slow is not drained: the connection ends after the answer, and says so.
                yield tooSlow == null ? answer(400, Map.of(), UNREADABLE_BODY) : answer(408, Map.of("Connection", "close"), tooSlowDetail(tooSlow));
            }
            default -> {
                log.error("{} {} failed unexpectedly", method, route, error);
                yield answer(500, Map.of(), "Internal server error.");
            }
        };
    }

    private static MinimumBodyRate.TooSlow tooSlow(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof MinimumBodyRate.TooSlow tooSlow) {
                return tooSlow;
            }
        }
        return null;
    }

    static String tooSlowDetail(MinimumBodyRate.TooSlow tooSlow) {
        long window = MinimumBodyRate.WINDOW.toSeconds();
        return "Request body arrived too slowly: after its first " + window + " seconds, a body must arrive at " + tooSlow.bytesPerSecond()
                + " bytes per second or more over every " + window + " seconds (CHOWDER_HTTP_MIN_BODY_RATE).";
    }

    private Answer chowderAnswer(ChowderException error, String method, String route) {
        int status = switch (error.code()) {
            case INVALID_REQUEST, INVALID_SESSION_ID -> 400;
            case MISSING_API_KEY, INVALID_API_KEY -> 401;
            case PERMISSION_DENIED, ORGANIZATION_SUSPENDED -> 403;
            case NOT_FOUND, INSTANCE_NOT_FOUND, API_KEY_NOT_FOUND, SESSION_NOT_FOUND, SKILL_NOT_FOUND, FILE_NOT_FOUND, BILLING_DISABLED -> 404;
            case INSTANCE_NOT_RUNNING, INSTANCE_STATE_CONFLICT, FILE_CONFLICT, KEY_LIMIT_REACHED -> 409;
            case INSTANCE_LIMIT_REACHED -> 402;
            case LIMIT_EXCEEDED -> 429;
            case PAYLOAD_TOO_LARGE -> 413;
            // nginx's code for a client that closed the connection; nobody reads this answer.
            case REQUEST_CANCELLED -> 499;
            case VALIDATION_FAILED, GATEWAY_ADDRESS_FORBIDDEN -> 422;
            case GATEWAY_REJECTED_REQUEST -> ((GatewayRejectedException) error).status();
            case GATEWAY_UNAVAILABLE, GATEWAY_CREDENTIALS_REJECTED, GATEWAY_FAILED, SKILL_REGISTRY_FAILED, PLUGIN_REGISTRY_FAILED -> 502;
            case GATEWAY_TIMEOUT -> 504;
            case NOT_READY, PROVISIONER_UNAVAILABLE, OVERLOADED -> 503;
        };
        boolean gatewayFailure = switch (error.code()) {
            case GATEWAY_UNAVAILABLE, GATEWAY_CREDENTIALS_REJECTED, GATEWAY_FAILED, GATEWAY_TIMEOUT -> true;
            case INVALID_REQUEST, INVALID_SESSION_ID, VALIDATION_FAILED, MISSING_API_KEY, INVALID_API_KEY, PERMISSION_DENIED,
                 ORGANIZATION_SUSPENDED, NOT_FOUND, INSTANCE_NOT_FOUND, API_KEY_NOT_FOUND, SESSION_NOT_FOUND, SKILL_NOT_FOUND, FILE_NOT_FOUND, FILE_CONFLICT,
                 INSTANCE_NOT_RUNNING, INSTANCE_STATE_CONFLICT, INSTANCE_LIMIT_REACHED, KEY_LIMIT_REACHED, LIMIT_EXCEEDED, BILLING_DISABLED,
                 GATEWAY_ADDRESS_FORBIDDEN, PAYLOAD_TOO_LARGE, REQUEST_CANCELLED, NOT_READY, PROVISIONER_UNAVAILABLE, OVERLOADED,
                 GATEWAY_REJECTED_REQUEST, SKILL_REGISTRY_FAILED, PLUGIN_REGISTRY_FAILED -> false;
        };
        Map<String, String> headers = new java.util.HashMap<>(1);
        if (error.code() == ErrorCode.MISSING_API_KEY || error.code() == ErrorCode.INVALID_API_KEY) {
            headers.put("WWW-Authenticate", "Bearer");
        }
        if (error instanceof GatewayRejectedException rejected) {
            rejected.retryAfter().ifPresent(value -> headers.put("Retry-After", value));
        }
        if (error instanceof LimitExceededException limited) {
            headers.put("Retry-After", Long.toString(limited.retryAfterSeconds()));
        }
        if (error instanceof OverloadedException overloaded) {
            // How soon what is held is usually given back: a fair guess, not a promise.
            headers.put("Retry-After", Long.toString(overloaded.retryAfterSeconds()));
        } else if (error.code() == ErrorCode.OVERLOADED) {
            headers.put("Retry-After", OVERLOADED_RETRY_AFTER_SECONDS);
        }
        if (error instanceof OverloadedException) {
            // A tenant at its share may retry many times a second: the gauges of what is held tell the operator instead.
            log.debug("{} {} refused: {}", method, route, error.getMessage());
        } else if (status >= 500 && error.code() != ErrorCode.NOT_READY) {
            log.warn("{} {} failed: {} ({})", method, route, error.getMessage(), error.code());
        }
        return answer(status, headers, gatewayFailure ? Map.of("error", error.getMessage()) : error.getMessage());
    }

    /** Javalin's own answers (unknown route, wrong method, body too large) in the same format. */
    void framework(HttpResponseException error, Context ctx) {
        String detail = switch (error.getStatus()) {
            case 404 -> "Not found: " + ctx.method() + " " + ctx.path();
            case 405 -> "Method not allowed: " + ctx.method() + " " + ctx.path() + " accepts " + ctx.res().getHeader("Allow") + ".";
            case 413 -> "Request body is too large.";
            default -> error.getMessage();
        };
        write(ctx, error.getStatus(), detail);
    }

    /** A body that broke while being read: the client's doing (and common on the open internet), so no stack trace. */
    void unreadableBody(UnreadableRequestBody error, Context ctx) {
        apply(answer(error, ctx.method().name(), routeOf(ctx)), ctx);
    }

    void unexpected(Exception error, Context ctx) {
        apply(answer(error, ctx.method().name(), routeOf(ctx)), ctx);
    }

    /** The route template, never the concrete path: paths carry session ids. */
    static String routeOf(Context ctx) {
        var endpoint = ctx.endpoints().lastHttpEndpoint();
        return endpoint == null ? "(no route)" : endpoint.path;
    }

    private void write(Context ctx, int status, Object detail) {
        apply(answer(status, Map.of(), detail), ctx);
    }

    private static void apply(Answer answer, Context ctx) {
        answer.headers().forEach(ctx::header);
        ctx.status(answer.status()).contentType("application/json").result(answer.body());
    }

    private Answer answer(int status, Map<String, String> headers, Object detail) {
        try {
            return new Answer(status, headers, json.writeValueAsBytes(Map.of("detail", detail)));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a map of strings always serialises", e);
        }
    }

    /** An error answer: its status, the headers that go with it, and its JSON body. */
    public record Answer(int status, Map<String, String> headers, byte[] body) {
    }
}
