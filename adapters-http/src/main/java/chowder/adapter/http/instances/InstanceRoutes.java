package chowder.adapter.http.instances;

import chowder.adapter.http.BearerAuthentication;
import chowder.adapter.http.JsonBodies;
import chowder.application.port.in.ManageInstancesUseCase;
import chowder.application.port.in.RegisterInstanceCommand;
import chowder.application.port.in.RegisterInstanceUseCase;
import chowder.application.port.in.UpdateInstanceCommand;
import chowder.application.port.in.ViewInstancesUseCase;
import chowder.domain.ChowderException;
import chowder.domain.Instance;
import chowder.domain.InstanceId;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.Optional;

/** The hosted instances endpoints: register, list, show, change, stop, start, delete, status. */
public final class InstanceRoutes {
    private final RegisterInstanceUseCase register;
    private final ViewInstancesUseCase view;
    private final ManageInstancesUseCase manage;
    private final JsonBodies bodies;

    public InstanceRoutes(RegisterInstanceUseCase register, ViewInstancesUseCase view, ManageInstancesUseCase manage, JsonBodies bodies) {
        this.register = register;
        this.view = view;
        this.manage = manage;
        this.bodies = bodies;
    }

    /** Adds its routes to Javalin's. */
    public void register(RoutesConfig routes) {
        routes.post("/v1/instances", this::create);
        routes.get("/v1/instances", this::list);
        routes.get("/v1/instances/{id}", this::get);
        routes.patch("/v1/instances/{id}", this::update);
        routes.delete("/v1/instances/{id}", this::delete);
        routes.get("/v1/instances/{id}/status", this::status);
        routes.post("/v1/instances/{id}/stop", this::stop);
        routes.post("/v1/instances/{id}/start", this::start);
    }

    void create(Context ctx) {
        ObjectNode body = bodies.readObject(ctx);
        Instance instance = register.register(new RegisterInstanceCommand(BearerAuthentication.of(ctx),
                JsonBodies.optionalString(body, "name"),
                JsonBodies.optionalString(body, "gateway_url"),
                JsonBodies.optionalString(body, "gateway_token"),
                Optional.ofNullable(JsonBodies.optionalString(body, "model_provider")),
                openclawConfig(body),
                Optional.ofNullable(JsonBodies.optionalString(body, "region"))));
        ctx.status(201).json(json(instance));
    }

    void list(Context ctx) {
        ctx.json(view.list(BearerAuthentication.of(ctx)).stream().map(this::json).toList());
    }

    void get(Context ctx) {
        ctx.json(json(view.get(BearerAuthentication.of(ctx), id(ctx))));
    }

    void status(Context ctx) {
        ctx.json(InstanceJson.Status.of(view.get(BearerAuthentication.of(ctx), id(ctx))));
    }

    void update(Context ctx) {
        ObjectNode body = bodies.readObject(ctx);
        Instance instance = manage.update(new UpdateInstanceCommand(BearerAuthentication.of(ctx), id(ctx),
                Optional.ofNullable(JsonBodies.optionalString(body, "name")),
                Optional.ofNullable(JsonBodies.optionalString(body, "gateway_url")),
                Optional.ofNullable(JsonBodies.optionalString(body, "gateway_token")),
                openclawConfig(body)));
        ctx.json(json(instance));
    }

    void stop(Context ctx) {
        ctx.json(json(manage.stop(BearerAuthentication.of(ctx), id(ctx))));
    }

    void start(Context ctx) {
        ctx.json(json(manage.start(BearerAuthentication.of(ctx), id(ctx))));
    }

    void delete(Context ctx) {
        manage.delete(BearerAuthentication.of(ctx), id(ctx));
        ctx.status(204);
    }

    private InstanceJson json(Instance instance) {
        return InstanceJson.of(instance, view.sandboxOf(instance));
    }

    private static InstanceId id(Context ctx) {
        return InstanceId.parse(ctx.pathParam("id"));
    }

    /** {@code openclaw_config} must be a JSON object; it is kept as its JSON text. */
    private static Optional<String> openclawConfig(ObjectNode body) {
        JsonNode config = body.get("openclaw_config");
        if (config == null || config.isNull()) {
            return Optional.empty();
        }
        if (!config.isObject()) {
            throw ChowderException.validationFailed("openclaw_config must be a JSON object.");
        }
        return Optional.of(config.toString());
    }
}
