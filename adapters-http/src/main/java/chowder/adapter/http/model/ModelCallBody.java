package chowder.adapter.http.model;

import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.ModelApi;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Set;

/**
 * The body of a model call as it goes upstream: a JSON object naming one of the models the operator offers with the
 * provider (a tenant must not pick a dearer one), and, for a streamed chat completion, asking for the usage chunk
 * ({@code stream_options.include_usage}): without it OpenAI reports no tokens, and a call the gateway's agent made
 * itself could spend without being counted.
 */
record ModelCallBody(byte[] bytes, boolean stream) {
    private static final ObjectMapper JSON = new ObjectMapper();

    static ModelCallBody of(byte[] received, ModelApi api, Set<String> models) {
        JsonNode root;
        try {
            root = JSON.readTree(received);
        } catch (java.io.IOException e) {
            throw ChowderException.invalidRequest("A model call's body must be JSON.");
        }
        if (!(root instanceof ObjectNode body)) {
            throw ChowderException.invalidRequest("A model call's body must be a JSON object.");
        }
        JsonNode model = body.path("model");
        if (!model.isTextual() || !models.contains(model.asText())) {
            throw new ChowderException(ErrorCode.PERMISSION_DENIED, "model must be one of " + models.stream().sorted().toList()
                    + " (the models this Chowder offers with this provider).");
        }
        boolean stream = body.path("stream").asBoolean(false);
        if (api == ModelApi.OPENAI_COMPLETIONS && stream) {
            JsonNode options = body.path("stream_options");
            if (!options.path("include_usage").asBoolean(false)) {
                (options instanceof ObjectNode existing ? existing : body.putObject("stream_options")).put("include_usage", true);
                try {
                    return new ModelCallBody(JSON.writeValueAsBytes(body), true);
                } catch (JsonProcessingException e) {
                    throw new IllegalStateException("a parsed JSON tree could not be written again", e);
                }
            }
        }
        return new ModelCallBody(received, stream);
    }
}
