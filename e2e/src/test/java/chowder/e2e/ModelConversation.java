package chowder.e2e;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The conversation a chat-completions request carries, as OpenClaw's model would read it: the system
 * prompt, the client's user texts in order (OpenClaw's wrapping removed, its internal-context messages
 * left out) and the OpenClaw session the request belongs to.
 *
 * @param model the {@code model} field of the request
 * @param stream whether the request asked for a streamed answer
 * @param systemPrompt the texts of all {@code system} and {@code developer} messages, joined by blank lines
 * @param userTexts the client's texts of the {@code user} messages, oldest first
 * @param internalContext the texts of OpenClaw's internal-context user messages, joined by blank lines
 * @param sessionKey the full session key from OpenClaw's runtime line ({@code agent:main:<key>}), if present
 * @param toolResult the content of the last {@code tool} message, if it came after the client's last text: the
 *     output of a tool the model called for that text
 */
public record ModelConversation(
        String model,
        boolean stream,
        String systemPrompt,
        List<String> userTexts,
        String internalContext,
        Optional<String> sessionKey,
        Optional<String> toolResult) {

    public ModelConversation {
        requireNonNull(model, "model is null");
        requireNonNull(systemPrompt, "systemPrompt is null");
        userTexts = List.copyOf(userTexts);
        requireNonNull(internalContext, "internalContext is null");
        requireNonNull(sessionKey, "sessionKey is null");
        requireNonNull(toolResult, "toolResult is null");
    }

    /** Reads an OpenAI chat-completions request body; message content may be a string or a list of text parts. */
    public static ModelConversation from(JsonNode body) {
        List<String> system = new ArrayList<>();
        List<String> users = new ArrayList<>();
        List<String> internal = new ArrayList<>();
        Optional<String> sessionKey = Optional.empty();
        Optional<String> toolResult = Optional.empty();
        for (JsonNode message : body.path("messages")) {
            String role = message.path("role").asText();
            String text = text(message.path("content"));
            if (sessionKey.isEmpty()) {
                sessionKey = OpenClawPromptText.sessionKey(text);
            }
            switch (role) {
                case "system", "developer" -> system.add(text);
                case "user" -> {
                    if (OpenClawPromptText.isInternalContext(text)) {
                        internal.add(text);
                    } else {
                        users.add(OpenClawPromptText.clientText(text));
                        toolResult = Optional.empty();
                    }
                }
                case "tool" -> toolResult = Optional.of(text);
                default -> {
                    // assistant and tool messages are history the scripted model does not report
                }
            }
        }
        return new ModelConversation(
                body.path("model").asText(""),
                body.path("stream").asBoolean(false),
                String.join("\n\n", system),
                users,
                String.join("\n\n", internal),
                sessionKey,
                toolResult);
    }

    public int turns() {
        return userTexts.size();
    }

    public String firstUserText() {
        return userTexts.isEmpty() ? "" : userTexts.getFirst();
    }

    public String lastUserText() {
        return userTexts.isEmpty() ? "" : userTexts.getLast();
    }

    private static String text(JsonNode content) {
        if (content.isTextual()) {
            return content.asText();
        }
        List<String> parts = new ArrayList<>();
        for (JsonNode part : content) {
            if (part.path("type").asText().equals("text")) {
                parts.add(part.path("text").asText());
            }
        }
        return String.join("\n", parts);
    }
}
