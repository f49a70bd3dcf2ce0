package chowder.application.service;

import static java.util.Objects.requireNonNull;

import chowder.application.port.in.RegisterInstanceCommand;
import chowder.application.port.in.RegisterInstanceUseCase;
import chowder.application.port.in.ViewInstancesUseCase;
import chowder.application.port.out.LoadInstancePort;
import chowder.application.port.out.SaveInstancePort;
import chowder.domain.Caller;
import chowder.domain.ChowderException;
import chowder.domain.GatewayToken;
import chowder.domain.GatewayUrl;
import chowder.domain.Instance;
import chowder.domain.InstanceId;
import java.time.Clock;
import java.util.List;

/** Registers and shows instances, always within the caller's organization. */
public final class InstanceService implements RegisterInstanceUseCase, ViewInstancesUseCase {
    private final LoadInstancePort loadInstances;
    private final SaveInstancePort saveInstances;
    private final Clock clock;

    public InstanceService(LoadInstancePort loadInstances, SaveInstancePort saveInstances, Clock clock) {
        this.loadInstances = requireNonNull(loadInstances, "loadInstances is null");
        this.saveInstances = requireNonNull(saveInstances, "saveInstances is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    @Override
    public Instance register(RegisterInstanceCommand command) {
        command.caller().requireOrganizationKey();
        if (command.gatewayToken() == null) {
            throw ChowderException.validationFailed("gateway_token is required.");
        }
        Instance instance = Instance.register(command.caller().organizationId(), command.name(),
                GatewayUrl.of(command.gatewayUrl()), new GatewayToken(command.gatewayToken()), clock.instant());
        saveInstances.insert(instance);
        return instance;
    }

    @Override
    public List<Instance> list(Caller caller) {
        caller.requireOrganizationKey();
        return loadInstances.listByOrganization(caller.organizationId()).stream()
                .filter(instance -> instance.visibleTo(caller))
                .toList();
    }

    @Override
    public Instance get(Caller caller, InstanceId id) {
        return VisibleInstances.find(loadInstances, caller, id);
    }
}
