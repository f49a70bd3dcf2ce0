package chowder.adapter.http.model;

import static java.nio.charset.StandardCharsets.UTF_8;

import chowder.application.port.in.AuthorizeModelCallUseCase.Account;
import chowder.domain.ModelProviderName;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a gateway is told when its provider refuses or fails a call, in place of the provider's own body where that
 * body can tell it what it must not know. On the operator's account every error body is replaced: OpenAI's 429 names
 * the operator's organization and its token use across every tenant, a 401 quotes characters of the key, and any
 * message may name the account. On an organization's own key only 401 and 403 are, since they can quote the key (the
 * rest is about its own account). The status stays, and so does what an agent's client acts on, in words of Chowder's
 * own: the provider's {@code error.type} and {@code error.code} when they are among a few plain ones, a rate limit, a
 * spent quota, and a context overflow (a message starting "context length exceeded", which OpenClaw reads as such and
 * answers by compacting the conversation). The provider's message itself never passes.
 */
final class ProviderErrors {
    /** As much of an error body as is read to classify it; the rest is dropped unread. */
    static final int MAX_READ = 64 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> SAFE_TYPES = Set.of("invalid_request_error", "authentication_error", "permission_error",
            "not_found_error", "request_too_large", "rate_limit_error", "rate_limit_exceeded", "insufficient_quota", "overloaded_error",
            "api_error", "server_error");
    private static final Set<String> SAFE_CODES = Set.of("context_length_exceeded", "rate_limit_exceeded", "insufficient_quota");
    private static final Pattern CONTEXT_OVERFLOW = Pattern.compile(
            "context[ _]length|context window|maximum context|prompt is too long|too many (input )?tokens", Pattern.CASE_INSENSITIVE);

    private ProviderErrors() {}

    /** Whether the provider's body for this status is replaced. */
    static boolean replaces(int status, Account account) {
        return status / 100 != 2 && (account == Account.OPERATOR || status == 401 || status == 403);
    }

    /** The body sent instead of the provider's, {@code received} being at most {@link #MAX_READ} bytes of it. */
    static byte[] body(int status, Account account, ModelProviderName provider, byte[] received) {
        String text = new String(received, UTF_8);
        JsonNode error = providerError(received);
        String type = safe(SAFE_TYPES, error.path("type").asText(null));
        String code = safe(SAFE_CODES, error.path("code").asText(null));
        String message;
        if (status == 401 || status == 403) {
            message = account == Account.ORGANIZATION
                    ? "The provider refused this organization's model key for " + provider + " (" + status + "): update it with PATCH "
                            + "/v1/organization {\"model_api_keys\": {\"" + provider + "\": \"…\"}}."
                    : "The provider refused the operator's key for " + provider + " (" + status + "); only the operator can change it.";
            type = status == 401 ? "authentication_error" : "permission_error";
        } else if (status == 429) {
            boolean quota = "insufficient_quota".equals(type) || "insufficient_quota".equals(code) || text.contains("insufficient_quota");
            message = quota ? "The provider's quota for this account is used up (429)."
                    : "The provider's rate limit for this account is reached (429); retry later.";
            type = quota ? "insufficient_quota" : type == null ? "rate_limit_exceeded" : type;
        } else if (status / 100 == 4 && ("context_length_exceeded".equals(code) || CONTEXT_OVERFLOW.matcher(text).find())) {
            message = "context length exceeded: the request is longer than the model's context window (" + status + ").";
            code = "context_length_exceeded";
            type = type == null ? "invalid_request_error" : type;
        } else if (status / 100 == 5) {
            message = "The model provider failed (" + status + ").";
            type = type == null ? "api_error" : type;
        } else {
            message = "The model provider refused this call (" + status + "); its message is withheld, as this call ran on the "
                    + "operator's account.";
            type = type == null ? "invalid_request_error" : type;
        }
        ObjectNode body = JSON.createObjectNode().put("detail", message);
        ObjectNode fields = body.putObject("error").put("type", type).put("message", message);
        if (code != null) {
            fields.put("code", code);
        }
        try {
            return JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree could not be written", e);
        }
    }

    /** OpenAI's {@code {"error": {…}}}, also Anthropic's {@code {"type": "error", "error": {…}}}; missing when neither. */
    private static JsonNode providerError(byte[] received) {
        try {
            return JSON.readTree(received).path("error");
        } catch (IOException | RuntimeException e) {
            return JSON.missingNode();
        }
    }

    private static String safe(Set<String> allowed, String value) {
        return value != null && allowed.contains(value) ? value : null;
    }
}
