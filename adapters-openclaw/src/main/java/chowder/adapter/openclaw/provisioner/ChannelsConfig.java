package chowder.adapter.openclaw.provisioner;

import static java.util.Objects.requireNonNull;

import chowder.domain.Channel;
import java.net.URI;
import java.util.EnumMap;
import java.util.Map;

/**
 * What the operator decides for provisioned instances' channels: another Telegram Bot API root than
 * {@code https://api.telegram.org} (a self-hosted Bot API server, or a test's), and the npm version of each official
 * channel plugin installed on first connect.
 *
 * <p>Plugins are pinned, never "latest": what a tenant's gateway loads must not change under the operator between two
 * connects. The defaults are the newest releases for {@link ProvisionerConfig#DEFAULT_OPENCLAW_VERSION} (not every
 * plugin is released with every OpenClaw version: some stay at the one before).
 */
public record ChannelsConfig(URI telegramApiRoot, Map<Channel, String> pluginVersions) {
    public static final URI TELEGRAM = URI.create("https://api.telegram.org");

    /** The newest npm release of each plugin that OpenClaw {@value ProvisionerConfig#DEFAULT_OPENCLAW_VERSION} loads. */
    public static final Map<Channel, String> DEFAULT_PLUGIN_VERSIONS = Map.of(
            Channel.DISCORD, "2026.9.6",
            Channel.SLACK, "2026.9.6",
            Channel.WHATSAPP, "2026.9.6",
            Channel.SIGNAL, "2026.9.6",
            Channel.MATRIX, "2026.9.6",
            Channel.GOOGLECHAT, "2026.9.5",
            Channel.MSTEAMS, "2026.9.5",
            Channel.MATTERMOST, "2026.9.5",
            Channel.LINE, "2026.9.5",
            Channel.NOSTR, "2026.9.5");

    public ChannelsConfig {
        requireNonNull(telegramApiRoot, "telegramApiRoot is null");
        requireNonNull(pluginVersions, "pluginVersions is null");
        checkTelegramRoot(telegramApiRoot);
        pluginVersions.forEach(ChannelsConfig::checkPluginVersion);
        pluginVersions = Map.copyOf(pluginVersions);
    }

    public static URI checkTelegramRoot(URI root) {
        if (!"https".equals(root.getScheme()) && !"http".equals(root.getScheme()) || root.getHost() == null) {
            throw new IllegalArgumentException("must be an http(s) URL such as " + TELEGRAM);
        }
        return root;
    }

    public static void checkPluginVersion(Channel channel, String version) {
        if (channel.npmPackage().isEmpty()) {
            throw new IllegalArgumentException(channel.id() + " is built into OpenClaw: it has no plugin version");
        }
        if (!version.matches("[0-9]+\\.[0-9]+\\.[0-9]+(-[0-9A-Za-z.]+)?")) {
            throw new IllegalArgumentException(channel.id() + ": expected an exact npm version like 2026.9.6, not " + version);
        }
    }

    public static ChannelsConfig defaults() {
        return new ChannelsConfig(TELEGRAM, DEFAULT_PLUGIN_VERSIONS);
    }

    /** The defaults, with the operator's versions for some plugins (another OpenClaw version may need others). */
    public static Map<Channel, String> pluginVersions(Map<Channel, String> overrides) {
        Map<Channel, String> versions = new EnumMap<>(DEFAULT_PLUGIN_VERSIONS);
        versions.putAll(overrides);
        return versions;
    }

    /** The exact npm spec OpenClaw installs for a channel's plugin ({@code @openclaw/discord@2026.9.6}). */
    String pluginSpec(Channel channel) {
        String npmPackage = channel.npmPackage().orElseThrow(() -> new IllegalArgumentException(channel.id() + " needs no plugin"));
        String version = pluginVersions.get(channel);
        if (version == null) {
            throw new IllegalStateException("no plugin version configured for " + channel.id());
        }
        return npmPackage + "@" + version;
    }
}
