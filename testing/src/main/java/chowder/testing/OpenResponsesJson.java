package chowder.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** The JSON of the OpenResponses API as the stub gateway reads and writes it: inputs, completed answers and errors. */
final class OpenResponsesJson {
    static final ObjectMapper JSON = new ObjectMapper();

    private OpenResponsesJson() {}

    /** The text of a request's {@code input}: a string, or the text parts of its items joined by spaces. */
    static String inputText(JsonNode input) {
        if (input.isTextual()) {
            return input.asText();
        }
        List<String> texts = new ArrayList<>();
        for (JsonNode item : input) {
            JsonNode content = item.path("content");
            if (content.isTextual()) {
                texts.add(content.asText());
            }
            for (JsonNode part : content) {
                texts.add(part.path("text").asText());
            }
        }
        return String.join(" ", texts);
    }

    /** A completed answer whose one message says {@code text}. */
    static String reply(String text) {
        ObjectNode response = JSON.createObjectNode()
                .put("id", "resp_" + UUID.randomUUID().toString().replace("-", ""))
                .put("object", "response")
                .put("created_at", System.currentTimeMillis() / 1000)
                .put("status", "completed")
                .put("model", "openclaw");
        ObjectNode message = response.putArray("output").addObject()
                .put("type", "message").put("id", "msg_1").put("role", "assistant").put("status", "completed");
        message.putArray("content").addObject().put("type", "output_text").put("text", text);
        response.putObject("usage").put("input_tokens", 10).put("output_tokens", 5).put("total_tokens", 15);
        return response.toString();
    }

    static String error(String message, String type) {
        ObjectNode error = JSON.createObjectNode();
        error.putObject("error").put("message", message).put("type", type);
        return error.toString();
    }
}
