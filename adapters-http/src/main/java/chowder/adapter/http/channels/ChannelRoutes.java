package chowder.adapter.http.channels;

import chowder.adapter.http.BearerAuthentication;
import chowder.adapter.http.JsonBodies;
import chowder.application.port.in.ManageChannelsUseCase;
import chowder.application.port.in.ManageChannelsUseCase.ChannelStatus;
import chowder.application.port.in.ManageChannelsUseCase.Connection;
import chowder.domain.Channel;
import chowder.domain.ChowderException;
import chowder.domain.InstanceId;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The hosted channel endpoints of an instance (Telegram, Discord, …), and an extension listing pending pairings. The
 * catalog of one channel needs no key, as hosted (setup screens show it before sign-in): it is the same for every
 * instance id, an unknown one included, so it says nothing about any instance.
 */
public final class ChannelRoutes {
    private static final String CHANNELS = "/v1/instances/{id}/channels";
    private static final String CHANNEL = "/v1/instances/{id}/channels/{channel}";
    private static final String CONNECT = CHANNEL + "/connect";
    private static final String STATUS = CHANNEL + "/status";
    private static final String PAIR = CHANNEL + "/pair";
    private static final String DISCONNECT = CHANNEL + "/disconnect";
    private static final String PAIRING = CHANNEL + "/pairing";
    /** The one route of the API a request without a key may take besides signup. */
    private static final Pattern CATALOG = Pattern.compile("/v1/instances/[^/]+/channels/[^/]+");

    private final ManageChannelsUseCase channels;
    private final JsonBodies bodies;
    private final ObjectMapper json;

    public ChannelRoutes(ManageChannelsUseCase channels, JsonBodies bodies, ObjectMapper json) {
        this.channels = channels;
        this.bodies = bodies;
        this.json = json;
    }

    /** Whether a request is for a channel's catalog, which needs no key. */
    public static boolean isCatalog(Context ctx) {
        return "GET".equals(ctx.method().name()) && CATALOG.matcher(ctx.path()).matches();
    }

    /** Adds its routes to Javalin's. */
    public void register(RoutesConfig routes) {
        routes.get(CHANNELS, this::list);
        routes.get(CHANNEL, this::catalog);
        routes.post(CONNECT, this::connect);
        routes.get(STATUS, this::status);
        routes.post(PAIR, this::pair);
        routes.post(DISCONNECT, this::disconnect);
        routes.get(PAIRING, this::pairing);
    }

    void list(Context ctx) {
        ArrayNode answer = json.createArrayNode();
        channels.list(BearerAuthentication.of(ctx), instanceId(ctx)).forEach(summary -> answer.addObject()
                .put("channel", summary.channel().id())
                .put("connection_type", summary.channel().connectionType().wireName())
                .put("enabled", summary.enabled()));
        ctx.json(answer);
    }

    void catalog(Context ctx) {
        Channel channel = channels.catalog(ctx.pathParam("channel"));
        ObjectNode answer = json.createObjectNode().put("channel", channel.id()).put("connection_type", channel.connectionType().wireName());
        ObjectNode fields = answer.putObject("required_fields");
        channel.requiredFields().forEach(fields::put);
        ctx.json(answer);
    }

    void connect(Context ctx) {
        ObjectNode body = bodies.readObject(ctx);
        JsonNode config = body.get("config");
        if (config != null && !config.isNull() && !config.isObject()) {
            throw ChowderException.validationFailed("config must be an object of the channel's fields.");
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        if (config != null && config.isObject()) {
            // Values are handed over as given (the service says which is not a string): the fields are secrets, never echoed.
            config.properties().forEach(entry -> fields.put(entry.getKey(), entry.getValue().isTextual() ? entry.getValue().asText() : entry.getValue()));
        }
        Connection connection = channels.connect(BearerAuthentication.of(ctx), instanceId(ctx), ctx.pathParam("channel"), fields);
        ObjectNode answer = json.createObjectNode().put("channel", connection.channel().id())
                .put("status", connection.awaitingScan() ? "awaiting_scan" : "connected");
        connection.qrImageBase64().ifPresent(image -> answer.put("qr_image_base64", image));
        answer.put("message", connection.message());
        ctx.json(answer);
    }

    void status(Context ctx) {
        ChannelStatus status = channels.status(BearerAuthentication.of(ctx), instanceId(ctx), ctx.pathParam("channel"));
        ObjectNode answer = json.createObjectNode().put("channel", status.channel().id()).put("enabled", status.enabled())
                .put("connected", status.connected());
        answer.set("details", json.valueToTree(status.details()));
        ctx.json(answer);
    }

    void pair(Context ctx) {
        ObjectNode body = bodies.readObject(ctx);
        String code = JsonBodies.optionalString(body, "code");
        if (code == null) {
            throw ChowderException.validationFailed("code is required: the pairing code the bot sent.");
        }
        String output = channels.pair(BearerAuthentication.of(ctx), instanceId(ctx), ctx.pathParam("channel"), code);
        ctx.json(json.createObjectNode().put("channel", ctx.pathParam("channel")).put("code", code.strip().toUpperCase(java.util.Locale.ROOT))
                .put("status", "approved").put("output", output));
    }

    void disconnect(Context ctx) {
        channels.disconnect(BearerAuthentication.of(ctx), instanceId(ctx), ctx.pathParam("channel"));
        ctx.status(204);
    }

    void pairing(Context ctx) {
        ArrayNode answer = json.createArrayNode();
        channels.pairingRequests(BearerAuthentication.of(ctx), instanceId(ctx), ctx.pathParam("channel")).forEach(request -> answer.addObject()
                .put("sender_id", request.senderId())
                .put("sender_label", request.senderLabel())
                .put("created_at", request.createdAt().toString())
                .put("expires_at", request.expiresAt().toString()));
        ctx.json(answer);
    }

    private static InstanceId instanceId(Context ctx) {
        return InstanceId.parse(ctx.pathParam("id"));
    }
}
