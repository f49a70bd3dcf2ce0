package chowder.domain;

import java.util.Arrays;
import java.util.Optional;

/**
 * The wire formats Chowder's model endpoint relays, by OpenClaw's name for each ({@code models.providers.*.api}), and
 * the one path (after the provider's base URL) that format calls: a gateway can reach nothing else of a provider.
 */
public enum ModelApi {
    OPENAI_COMPLETIONS("openai-completions", "chat/completions"),
    OPENAI_RESPONSES("openai-responses", "responses"),
    ANTHROPIC_MESSAGES("anthropic-messages", "v1/messages");

    private final String openClawName;
    private final String path;

    ModelApi(String openClawName, String path) {
        this.openClawName = openClawName;
        this.path = path;
    }

    public String openClawName() {
        return openClawName;
    }

    /** The path of the one call, relative to the provider's base URL (no leading slash). */
    public String path() {
        return path;
    }

    public static Optional<ModelApi> fromOpenClawName(String name) {
        return Arrays.stream(values()).filter(api -> api.openClawName.equals(name)).findFirst();
    }
}
