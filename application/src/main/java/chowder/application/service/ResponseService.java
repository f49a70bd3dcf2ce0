package chowder.application.service;

import static java.util.Objects.requireNonNull;

import chowder.application.port.in.SendResponseCommand;
import chowder.application.port.in.SendResponseUseCase;
import chowder.application.port.out.AgentGatewayPort;
import chowder.application.port.out.GatewayResponse;
import chowder.application.port.out.LoadInstancePort;
import chowder.domain.ChowderException;
import chowder.domain.Instance;
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
        Instance instance = VisibleInstances.find(instances, command.caller(), command.instanceId());
        instance.ensureRunning();
        if (command.request().stream()) {
            throw ChowderException.invalidRequest("\"stream\": true is not supported yet; send the request without it.");
        }
        Session session = Session.of(instance.id(), command.sessionId());
        return gateway.createResponse(instance, session.key(), command.request());
    }
}
