package chowder.domain;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The messaging channels of the hosted API, each as OpenClaw names and configures it: how it connects ({@code token}:
 * credentials; {@code interactive}: a QR code scanned on a phone), the fields a client gives (the hosted names, with a
 * description, mapped to OpenClaw's keys under {@code channels.<id>}), where its plugin comes from (bundled with
 * OpenClaw, or an official npm package), and the network destinations it needs (for the operator's egress allowlist).
 */
public enum Channel {
    TELEGRAM("telegram", ConnectionType.TOKEN, null, fieldList(field("token", "botToken", "The bot token from @BotFather")),
            List.of("api.telegram.org:443")),
    DISCORD("discord", ConnectionType.TOKEN, "@openclaw/discord", fieldList(field("token", "token", "The bot token from the Discord developer portal")),
            List.of("discord.com:443", "gateway.discord.gg:443", "cdn.discordapp.com:443", "media.discordapp.net:443")),
    SLACK("slack", ConnectionType.TOKEN, "@openclaw/slack", fieldList(
            field("bot_token", "botToken", "The bot user OAuth token (xoxb-…)"),
            field("app_token", "appToken", "The app-level token for Socket Mode (xapp-…)")),
            List.of("slack.com:443", "*.slack.com:443")),
    WHATSAPP("whatsapp", ConnectionType.INTERACTIVE, "@openclaw/whatsapp", fieldList(),
            List.of("web.whatsapp.com:443", "*.whatsapp.net:443")),
    GOOGLECHAT("googlechat", ConnectionType.TOKEN, "@openclaw/googlechat", fieldList(
            field("audience_type", "audienceType", "How Google Chat identifies the app: app-url or project-number"),
            field("audience", "audience", "The app URL or the Google Cloud project number")),
            List.of("chat.googleapis.com:443", "oauth2.googleapis.com:443", "www.googleapis.com:443")),
    SIGNAL("signal", ConnectionType.TOKEN, "@openclaw/signal", fieldList(field("account", "account", "The Signal account's phone number (E.164)")),
            List.of()),
    MATRIX("matrix", ConnectionType.TOKEN, "@openclaw/matrix", fieldList(
            field("homeserver", "homeserver", "The homeserver URL (https://matrix.example.org)"),
            field("user_id", "userId", "The bot's Matrix user id (@bot:example.org)"),
            field("access_token", "accessToken", "The bot's access token")),
            List.of()),
    MSTEAMS("msteams", ConnectionType.TOKEN, "@openclaw/msteams", fieldList(
            field("app_id", "appId", "The Azure bot's application id"),
            field("app_password", "appPassword", "The Azure bot's client secret"),
            field("tenant_id", "tenantId", "The Microsoft Entra tenant id")),
            List.of("login.microsoftonline.com:443", "api.botframework.com:443", "smba.trafficmanager.net:443", "graph.microsoft.com:443")),
    MATTERMOST("mattermost", ConnectionType.TOKEN, "@openclaw/mattermost", fieldList(
            field("bot_token", "botToken", "The bot account's access token"),
            field("base_url", "baseUrl", "The Mattermost server URL (https://chat.example.org)")),
            List.of()),
    LINE("line", ConnectionType.TOKEN, "@openclaw/line", fieldList(
            field("channel_access_token", "channelAccessToken", "The Messaging API channel access token"),
            field("channel_secret", "channelSecret", "The Messaging API channel secret")),
            List.of("api.line.me:443", "api-data.line.me:443")),
    // Nostr's bot identity is a key pair: Chowder makes the private key at the first connect; the client gives nothing.
    NOSTR("nostr", ConnectionType.TOKEN, "@openclaw/nostr", fieldList(new Field("private_key", "privateKey", "Made by Chowder", true)),
            List.of("relay.damus.io:443", "nos.lol:443"));

    /** How a channel is connected. */
    public enum ConnectionType {
        TOKEN,
        INTERACTIVE;

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** One field of a connection: its hosted name, OpenClaw's config key, what it is, and whether Chowder makes it. */
    public record Field(String name, String openClawKey, String description, boolean generated) {
        public Field {
            requireNonNull(name, "name is null");
            requireNonNull(openClawKey, "openClawKey is null");
            requireNonNull(description, "description is null");
        }
    }

    private final String id;
    private final ConnectionType connectionType;
    private final String npmPackage;
    private final List<Field> fields;
    private final List<String> egress;

    Channel(String id, ConnectionType connectionType, String npmPackage, List<Field> fields, List<String> egress) {
        this.id = id;
        this.connectionType = connectionType;
        this.npmPackage = npmPackage;
        this.fields = fields;
        this.egress = egress;
    }

    /** The hosted name, which is also OpenClaw's channel and plugin id. */
    public String id() {
        return id;
    }

    public ConnectionType connectionType() {
        return connectionType;
    }

    /** The official plugin's npm package; empty for a channel bundled with OpenClaw. */
    public Optional<String> npmPackage() {
        return Optional.ofNullable(npmPackage);
    }

    public List<Field> fields() {
        return fields;
    }

    /** The fields a client gives, by hosted name, with their descriptions, as the catalog shows them. */
    public Map<String, String> requiredFields() {
        Map<String, String> required = new LinkedHashMap<>();
        fields.stream().filter(field -> !field.generated()).forEach(field -> required.put(field.name(), field.description()));
        return required;
    }

    /**
     * The destinations ({@code host:port}) the channel's service lives at; empty when they depend on the connection
     * (a Matrix homeserver, a Mattermost server: the fields name them) or on the operator (Signal's signal-cli daemon).
     */
    public List<String> egress() {
        return egress;
    }

    /** The channel named {@code id}, or a {@code NOT_FOUND} error listing the known ones. */
    public static Channel of(String id) {
        return Arrays.stream(values()).filter(channel -> channel.id.equals(id)).findFirst()
                .orElseThrow(() -> new ChowderException(ErrorCode.NOT_FOUND, "Unknown channel '" + (id.length() > 64 ? id.substring(0, 64) + "…" : id)
                        + "'; the channels are " + Arrays.stream(values()).map(Channel::id).toList() + "."));
    }

    private static List<Field> fieldList(Field... fields) {
        return List.of(fields);
    }

    private static Field field(String name, String openClawKey, String description) {
        return new Field(name, openClawKey, description, false);
    }
}
