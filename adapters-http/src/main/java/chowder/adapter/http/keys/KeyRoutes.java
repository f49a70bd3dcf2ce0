package chowder.adapter.http.keys;

import chowder.adapter.http.BearerAuthentication;
import chowder.adapter.http.JsonBodies;
import chowder.application.port.in.CreateApiKeyCommand;
import chowder.application.port.in.ManageApiKeysUseCase;
import chowder.domain.ApiKeyId;
import chowder.domain.ApiKeyKind;
import chowder.domain.ChowderException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The hosted keys endpoints. */
public final class KeyRoutes {
    private final ManageApiKeysUseCase keys;
    private final JsonBodies bodies;
    private final KeyJson json;

    public KeyRoutes(ManageApiKeysUseCase keys, JsonBodies bodies, ObjectMapper json) {
        this.keys = keys;
        this.bodies = bodies;
        this.json = new KeyJson(json);
    }

    /** Adds its routes to Javalin's. */
    public void register(RoutesConfig routes) {
        routes.post("/v1/keys", this::create);
        routes.get("/v1/keys", this::list);
        routes.get("/v1/keys/{key_id}", this::get);
        routes.delete("/v1/keys/{key_id}", this::revoke);
    }

    void create(Context ctx) {
        ObjectNode body = bodies.readObject(ctx);
        ctx.status(201).json(json.created(keys.create(new CreateApiKeyCommand(BearerAuthentication.of(ctx), ApiKeyKind.SCOPED,
                JsonBodies.optionalString(body, "name"),
                strings(body, "instance_ids"),
                strings(body, "permissions"),
                Optional.ofNullable(JsonBodies.optionalString(body, "expires_at")),
                strings(body, "session_ids"),
                Optional.ofNullable(JsonBodies.optionalString(body, "session_prefix"))))));
    }

    void list(Context ctx) {
        ctx.json(keys.list(BearerAuthentication.of(ctx)).stream().map(json::key).toList());
    }

    void get(Context ctx) {
        ctx.json(json.keyWithInstances(keys.get(BearerAuthentication.of(ctx), ApiKeyId.parse(ctx.pathParam("key_id")))));
    }

    void revoke(Context ctx) {
        keys.revoke(BearerAuthentication.of(ctx), ApiKeyId.parse(ctx.pathParam("key_id")));
        ctx.status(204);
    }

    /** An array of strings, or empty when absent; anything else is a validation error naming the field. */
    private static List<String> strings(ObjectNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return List.of();
        }
        if (!value.isArray()) {
            throw ChowderException.validationFailed(field + " must be an array of strings.");
        }
        List<String> strings = new ArrayList<>();
        for (JsonNode element : (ArrayNode) value) {
            if (!element.isTextual()) {
                throw ChowderException.validationFailed(field + " must be an array of strings.");
            }
            strings.add(element.asText());
        }
        return strings;
    }
}
