package chowder.adapter.http;

import chowder.application.port.in.CreateApiKeyCommand;
import chowder.application.port.in.CreateOrganizationUseCase;
import chowder.application.port.in.ManageApiKeysUseCase;
import chowder.application.port.in.ManageOrganizationUseCase;
import chowder.application.port.in.NewOrganization;
import chowder.domain.ApiKeyId;
import chowder.domain.ApiKeyKind;
import chowder.domain.ChowderException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The hosted organization and keys endpoints, and the optional signup. */
final class KeyRoutes {
    private final ManageApiKeysUseCase keys;
    private final ManageOrganizationUseCase organizations;
    private final CreateOrganizationUseCase createOrganization;
    private final JsonBodies bodies;
    private final KeyJson json;

    KeyRoutes(ManageApiKeysUseCase keys, ManageOrganizationUseCase organizations, CreateOrganizationUseCase createOrganization,
            JsonBodies bodies, KeyJson json) {
        this.keys = keys;
        this.organizations = organizations;
        this.createOrganization = createOrganization;
        this.bodies = bodies;
        this.json = json;
    }

    void getOrganization(Context ctx) {
        ctx.json(json.organization(organizations.get(Callers.of(ctx))));
    }

    void renameOrganization(Context ctx) {
        ObjectNode body = bodies.readObject(ctx);
        ctx.json(json.organization(organizations.rename(Callers.of(ctx), JsonBodies.optionalString(body, "name"))));
    }

    void signup(Context ctx) {
        ObjectNode body = bodies.readObject(ctx);
        NewOrganization created = createOrganization.create(JsonBodies.optionalString(body, "name"));
        ObjectNode answer = json.organizationAndKey(created.organization());
        answer.put("api_key", created.apiKey().value());
        ctx.status(201).json(answer);
    }

    void create(Context ctx) {
        ObjectNode body = bodies.readObject(ctx);
        ctx.status(201).json(json.created(keys.create(new CreateApiKeyCommand(Callers.of(ctx), ApiKeyKind.SCOPED,
                JsonBodies.optionalString(body, "name"),
                strings(body, "instance_ids"),
                strings(body, "permissions"),
                Optional.ofNullable(JsonBodies.optionalString(body, "expires_at")),
                strings(body, "session_ids"),
                Optional.ofNullable(JsonBodies.optionalString(body, "session_prefix"))))));
    }

    void list(Context ctx) {
        ctx.json(keys.list(Callers.of(ctx)).stream().map(json::key).toList());
    }

    void get(Context ctx) {
        ctx.json(json.keyWithInstances(keys.get(Callers.of(ctx), ApiKeyId.parse(ctx.pathParam("key_id")))));
    }

    void revoke(Context ctx) {
        keys.revoke(Callers.of(ctx), ApiKeyId.parse(ctx.pathParam("key_id")));
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
