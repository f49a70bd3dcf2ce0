package chowder.adapter.openclaw.provisioner;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Writes a provisioned gateway's {@code openclaw.json}: loopback only, token auth, the OpenResponses
 * endpoint on, the instance's workspace, and its chosen model provider. Secrets are not in the file: the
 * token and the provider's API key are {@code ${VAR}} references that OpenClaw resolves from the
 * environment Chowder gives the process.
 */
final class GatewayConfigWriter {
    /** The environment variable holding the gateway token, referenced from the config. */
    static final String TOKEN_VARIABLE = "OPENCLAW_GATEWAY_TOKEN";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private GatewayConfigWriter() {}

    /** The config as written; {@code model} may be null (a gateway without a model provider). */
    static ObjectNode config(int port, GatewayLayout layout, ModelProviders.Selection model) {
        ObjectNode config = JSON.createObjectNode();
        ObjectNode gateway = config.putObject("gateway")
                .put("mode", "local")
                .put("port", port)
                .put("bind", "loopback");
        gateway.putObject("auth").put("mode", "token").put("token", "${" + TOKEN_VARIABLE + "}");
        gateway.putObject("http").putObject("endpoints").putObject("responses").put("enabled", true);
        // Chowder is the gateway's only client; the dashboard would copy 55 MB of assets into every state directory.
        gateway.putObject("controlUi").put("enabled", false);

        ObjectNode defaults = config.putObject("agents").putObject("defaults");
        defaults.put("workspace", layout.workspace().toString());
        if (model != null) {
            defaults.putObject("model").put("primary", model.reference());
            ObjectNode models = config.putObject("models").put("mode", "replace");
            models.putObject("catalogRefresh").put("enabled", false);
            ModelProviders.Provider provider = model.provider();
            ObjectNode providerNode = models.putObject("providers").putObject(model.providerName())
                    .put("baseUrl", provider.baseUrl())
                    .put("apiKey", provider.apiKeyEnv().map(variable -> "${" + variable + "}").orElse("none"))
                    .put("api", provider.api());
            for (ModelProviders.Model each : provider.models()) {
                ObjectNode modelNode = providerNode.withArray("models").addObject()
                        .put("id", each.id())
                        .put("name", each.id())
                        .put("reasoning", false)
                        .put("contextWindow", each.contextWindow())
                        .put("maxTokens", each.maxTokens());
                modelNode.putArray("input").add("text");
                modelNode.putObject("cost").put("input", 0).put("output", 0).put("cacheRead", 0).put("cacheWrite", 0);
            }
        }
        // Serving /v1/responses needs none of the bundled plugins, and without them, the update check and
        // mDNS the gateway starts faster and calls nothing but its model provider.
        config.putObject("plugins").put("enabled", false);
        config.putObject("update").put("checkOnStart", false);
        config.putObject("discovery").putObject("mdns").put("mode", "off");
        config.putObject("logging").put("file", layout.openClawLog().toString());
        return config;
    }

    /**
     * Writes the config in one step: a gateway never reads a half-written file. Mode 600 for a gateway that runs as
     * Chowder's user; 644 for a sandboxed one, which runs as its own user and sees the file only inside its sandbox (it
     * holds no secret, and the instance's directory is Chowder's alone).
     */
    static void write(Path file, ObjectNode config, boolean readableByOthers) throws IOException {
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(temporary);
        String mode = readableByOthers ? "rw-r--r--" : "rw-------";
        Files.createFile(temporary, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(mode)));
        // createFile applies the umask; the mode must be exactly this.
        Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString(mode));
        Files.writeString(temporary, JSON.writeValueAsString(config), UTF_8);
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
