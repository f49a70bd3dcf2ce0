package chowder.application.service;

import static java.util.Objects.requireNonNull;

import chowder.application.port.in.SendResponseCommand;
import chowder.application.port.in.SendResponseUseCase;
import chowder.application.port.out.AgentGatewayPort;
import chowder.application.port.out.GatewayResponse;
import chowder.application.port.out.LoadInstancePort;
import chowder.application.port.out.ResponseStream;
import chowder.domain.Instance;
import chowder.domain.Permission;
import chowder.domain.Session;

/** Forwards a response request to the session of a running instance of the caller's organization. */
public final class ResponseService implements SendResponseUseCase {
    private final LoadInstancePort instances;
    private final AgentGatewayPort gateway;

    public ResponseService(LoadInstancePort instances, AgentGatewayPort gateway) {
        this.instances = requireNonNull(instances, "instances is null");
        this.gateway = requireNonNull(gateway, "gateway is null");
    }

    @Override
    public GatewayResponse send(SendResponseCommand command) {
        requireStream(command, false);
        Instance instance = runningInstance(command);
        return gateway.createResponse(instance, session(instance, command).key(), command.request());
    }

    @Override
    public ResponseStream stream(SendResponseCommand command) {
        requireStream(command, true);
        Instance instance = runningInstance(command);
        return gateway.streamResponse(instance, session(instance, command).key(), command.request());
    }

    private Instance runningInstance(SendResponseCommand command) {
        Instance instance = VisibleInstances.find(instances, command.caller(), command.instanceId(), Permission.INTERACT);
        command.caller().requireSession(command.sessionId());
        instance.ensureRunning();
        return instance;
    }

    private static Session session(Instance instance, SendResponseCommand command) {
        return Session.of(instance.id(), command.sessionId());
    }

    private static void requireStream(SendResponseCommand command, boolean stream) {
        if (command.request().stream() != stream) {
            throw new IllegalArgumentException("use " + (stream ? "send" : "stream") + " for this request");
        }
    }
}
