package chowder.adapter.http.limits;

import chowder.adapter.http.BearerAuthentication;
import chowder.adapter.http.JsonBodies;
import chowder.application.port.in.ManageLimitsUseCase;
import chowder.domain.ApiKeyId;
import chowder.domain.InstanceId;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

/** Extensions: the budgets and request rate of a key, and the session limits of an instance. */
public final class LimitRoutes {
    private static final String KEY_LIMITS = "/v1/keys/{key_id}/limits";
    private static final String SESSION_LIMITS = "/v1/instances/{id}/session-limits";

    private final ManageLimitsUseCase limits;
    private final JsonBodies bodies;
    private final ObjectMapper json;

    public LimitRoutes(ManageLimitsUseCase limits, JsonBodies bodies, ObjectMapper json) {
        this.limits = limits;
        this.bodies = bodies;
        this.json = json;
    }

    /** Adds its routes to Javalin's. */
    public void register(RoutesConfig routes) {
        routes.get(KEY_LIMITS, this::keyLimits);
        routes.put(KEY_LIMITS, this::setKeyLimits);
        routes.get(SESSION_LIMITS, this::sessionLimits);
        routes.put(SESSION_LIMITS, this::setSessionLimits);
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
