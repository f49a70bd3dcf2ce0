package chowder.adapter.http;

import chowder.application.port.in.RegisterInstanceCommand;
import chowder.application.port.in.RegisterInstanceUseCase;
import chowder.application.port.in.ViewInstancesUseCase;
import chowder.domain.Instance;
import chowder.domain.InstanceId;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;

/** The hosted instances endpoints: register, list and show. */
final class InstanceRoutes {
    private final RegisterInstanceUseCase register;
    private final ViewInstancesUseCase view;
    private final JsonBodies bodies;

    InstanceRoutes(RegisterInstanceUseCase register, ViewInstancesUseCase view, JsonBodies bodies) {
        this.register = register;
        this.view = view;
        this.bodies = bodies;
    }

    void create(Context ctx) {
        ObjectNode body = bodies.readObject(ctx);
        Instance instance = register.register(new RegisterInstanceCommand(Callers.of(ctx),
                JsonBodies.optionalString(body, "name"),
                JsonBodies.optionalString(body, "gateway_url"),
                JsonBodies.optionalString(body, "gateway_token")));
        ctx.status(201).json(InstanceJson.of(instance));
    }

    void list(Context ctx) {
        ctx.json(view.list(Callers.of(ctx)).stream().map(InstanceJson::of).toList());
    }

    void get(Context ctx) {
        ctx.json(InstanceJson.of(view.get(Callers.of(ctx), InstanceId.parse(ctx.pathParam("id")))));
    }
}
