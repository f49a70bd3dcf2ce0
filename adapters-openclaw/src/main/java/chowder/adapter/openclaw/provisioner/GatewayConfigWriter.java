package chowder.adapter.openclaw.provisioner;

import chowder.domain.Channel;
import chowder.domain.ChannelSettings;
import chowder.domain.SkillSettings;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Writes a provisioned gateway's {@code openclaw.json}: loopback only, token auth, the OpenResponses
 * endpoint on, the instance's workspace, its chosen model provider reached through Chowder's model endpoint, and its
 * skills' settings. The gateway token and the model endpoint's credential are not in the file: they are {@code ${VAR}}
 * references that OpenClaw resolves from the environment Chowder gives the process. No provider key is anywhere. Skills' secrets are (OpenClaw reads {@code skills.entries} from its config,
 * and applies a change of it without a restart): the file lives on a memory file system, never on disk, readable by
 * the instance's own uid alone.
 */
final class GatewayConfigWriter {
    /** The environment variable holding the gateway token, referenced from the config. */
    static final String TOKEN_VARIABLE = "OPENCLAW_GATEWAY_TOKEN";
    /** The environment variable holding the instance's credential for Chowder's model endpoint. */
    static final String MODEL_CREDENTIAL_VARIABLE = "MODEL_CREDENTIAL";
    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private GatewayConfigWriter() {}

    /**
     * The config as written: the model's provider is reached at {@code modelEndpoint}{@code /providers/<name>}, where
     * Chowder relays exactly that provider's one call with the organization's key.
     */
    static ObjectNode config(int port, GatewayLayout layout, ModelProviders.Selection model, URI modelEndpoint,
            Map<String, SkillSettings> skills, Map<Channel, ChannelSettings> channels, ChannelsConfig channelsConfig) {
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
        defaults.putObject("model").put("primary", model.reference());
        // Short internal tasks (titles, recaps) use the same model: left unset, OpenClaw derives the provider's "small"
        // model (gpt-5.6-luna, claude-haiku-4-5), which the operator may not offer and the model endpoint then refuses.
        defaults.put("utilityModel", model.reference());
        ObjectNode models = config.putObject("models").put("mode", "replace");
        models.putObject("catalogRefresh").put("enabled", false);
        ModelProviders.Provider provider = model.provider();
        ObjectNode providerNode = models.putObject("providers").putObject(model.providerName())
                .put("baseUrl", modelEndpoint.toString().replaceAll("/+$", "") + "/providers/" + model.providerName())
                .put("apiKey", "${" + MODEL_CREDENTIAL_VARIABLE + "}")
                .put("api", provider.api().openClawName());
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
        // Serving /v1/responses needs none of the bundled plugins, and without them, the update check and
        // mDNS the gateway starts faster and calls nothing but its model provider. A connected channel loads its own
        // plugin alone (plugins.allow), not the fifteen OpenClaw bundles.
        ObjectNode plugins = config.putObject("plugins");
        if (channels.isEmpty()) {
            plugins.put("enabled", false);
        } else {
            plugins.put("enabled", true);
            ArrayNode allowed = plugins.putArray("allow");
            ObjectNode entries = plugins.putObject("entries");
            new java.util.TreeMap<>(channels).keySet().forEach(channel -> {
                allowed.add(channel.id());
                entries.putObject(channel.id()).put("enabled", true);
            });
            ObjectNode sections = config.putObject("channels");
            new java.util.TreeMap<>(channels).forEach((channel, settings) -> sections.set(channel.id(), channel(channel, settings, channelsConfig)));
        }
        // Each person who messages a channel has a session of their own, as each API session id has.
        config.putObject("session").put("dmScope", "per-channel-peer");
        config.putObject("update").put("checkOnStart", false);
        config.putObject("discovery").putObject("mdns").put("mode", "off");
        config.putObject("logging").put("file", layout.openClawLog().toString());
        ObjectNode entries = config.putObject("skills").putObject("entries");
        skills.forEach((key, settings) -> entries.set(key, entry(settings)));
        return config;
    }

    /**
     * {@code channels.<id>}: on or off, the connection's fields under OpenClaw's keys, and pairing for direct messages (a
     * stranger gets a code to be approved through the API; OpenClaw keeps the approved senders in the gateway's state,
     * which the agent's tools could also write: channels.md).
     */
    private static ObjectNode channel(Channel channel, ChannelSettings settings, ChannelsConfig channelsConfig) {
        ObjectNode section = JSON.createObjectNode().put("enabled", settings.enabled());
        for (Channel.Field field : channel.fields()) {
            String value = settings.fields().get(field.name());
            if (value != null) {
                section.put(field.openClawKey(), value);
            }
        }
        if (channel == Channel.MATRIX) {
            section.putObject("dm").put("policy", "pairing");
        } else {
            section.put("dmPolicy", "pairing");
        }
        if (channel == Channel.TELEGRAM) {
            if (!channelsConfig.telegramApiRoot().equals(ChannelsConfig.TELEGRAM)) {
                section.put("apiRoot", channelsConfig.telegramApiRoot().toString());
            }
        }
        return section;
    }

    /** {@code skills.entries.<key>}: only what is set, so that OpenClaw's defaults hold for the rest. */
    private static ObjectNode entry(SkillSettings settings) {
        ObjectNode entry = JSON.createObjectNode();
        settings.enabledSetting().ifPresent(enabled -> entry.put("enabled", enabled));
        if (settings.apiKey() != null) {
            entry.put("apiKey", settings.apiKey());
        }
        if (!settings.env().isEmpty()) {
            ObjectNode env = entry.putObject("env");
            new TreeMap<>(settings.env()).forEach(env::put);
        }
        if (!settings.config().isEmpty()) {
            entry.set("config", JSON.valueToTree(settings.config()));
        }
        return entry;
    }

    /**
     * Replaces the config in one step (a rename in its directory, which the gateway watches): it never reads a
     * half-written file. Mode 600, owned like its directory: by Chowder's user, or by a sandboxed gateway's own uid.
     */
    static void write(Path file, ObjectNode config) throws IOException {
        Path temporary = file.resolveSibling("." + file.getFileName() + "." + Long.toHexString(RANDOM.nextLong()) + ".tmp");
        try {
            // Written through the descriptor that created it, mode 600 from the start (a umask only takes bits away),
            // and given to the directory's owner without following a link: nothing is done to it by name but lchown.
            try (OutputStream out = Channels.newOutputStream(Files.newByteChannel(temporary,
                    Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))))) {
                out.write(JSON.writeValueAsBytes(config));
            }
            Path directory = file.getParent();
            for (String owner : List.of("unix:uid", "unix:gid")) {
                Files.setAttribute(temporary, owner, Files.getAttribute(directory, owner, LinkOption.NOFOLLOW_LINKS), LinkOption.NOFOLLOW_LINKS);
            }
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }
}
