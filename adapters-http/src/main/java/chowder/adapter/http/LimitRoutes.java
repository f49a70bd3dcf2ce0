package chowder.adapter.http;

import chowder.application.port.in.ManageLimitsUseCase;
import chowder.domain.ApiKeyId;
import chowder.domain.InstanceId;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;

/** Extensions: the budgets and request rate of a key, and the session limits of an instance. */
final class LimitRoutes {
    static final String KEY_LIMITS = "/v1/keys/{key_id}/limits";
    static final String SESSION_LIMITS = "/v1/instances/{id}/session-limits";

    private final ManageLimitsUseCase limits;
    private final JsonBodies bodies;
    private final ObjectMapper json;

    LimitRoutes(ManageLimitsUseCase limits, JsonBodies bodies, ObjectMapper json) {
        this.limits = limits;
        this.bodies = bodies;
        this.json = json;
    }

    void keyLimits(Context ctx) {
        ApiKeyId key = ApiKeyId.parse(ctx.pathParam("key_id"));
        ctx.json(LimitsJson.write(json.createObjectNode().put("key_id", key.toString()), limits.keyLimits(BearerAuthentication.of(ctx), key)));
    }

    void setKeyLimits(Context ctx) {
        ApiKeyId key = ApiKeyId.parse(ctx.pathParam("key_id"));
        // Permission first: a caller that may not set them learns nothing from the body's validation.
        limits.keyLimits(BearerAuthentication.of(ctx), key);
        var set = limits.setKeyLimits(BearerAuthentication.of(ctx), key, LimitsJson.read(bodies.readObject(ctx), ""));
        ctx.json(LimitsJson.write(json.createObjectNode().put("key_id", key.toString()), set));
    }

    void sessionLimits(Context ctx) {
        InstanceId instance = InstanceId.parse(ctx.pathParam("id"));
        ctx.json(LimitsJson.writeSessionLimits(json.createObjectNode().put("instance_id", instance.toString()),
                limits.sessionLimits(BearerAuthentication.of(ctx), instance)));
    }

    void setSessionLimits(Context ctx) {
        InstanceId instance = InstanceId.parse(ctx.pathParam("id"));
        limits.sessionLimits(BearerAuthentication.of(ctx), instance);
        var set = limits.setSessionLimits(BearerAuthentication.of(ctx), instance, LimitsJson.readSessionLimits(bodies.readObject(ctx)));
        ctx.json(LimitsJson.writeSessionLimits(json.createObjectNode().put("instance_id", instance.toString()), set));
    }
}
