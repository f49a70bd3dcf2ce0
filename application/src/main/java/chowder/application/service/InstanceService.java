package chowder.application.service;

import static java.util.Objects.requireNonNull;

import chowder.application.port.in.ManageInstancesUseCase;
import chowder.application.port.in.RegisterInstanceCommand;
import chowder.application.port.in.RegisterInstanceUseCase;
import chowder.application.port.in.UpdateInstanceCommand;
import chowder.application.port.in.ViewInstancesUseCase;
import chowder.application.port.out.GatewayAddressPolicyPort;
import chowder.application.port.out.LoadInstancePort;
import chowder.application.port.out.SaveInstancePort;
import chowder.domain.Caller;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.GatewayToken;
import chowder.domain.GatewayUrl;
import chowder.domain.Instance;
import chowder.domain.InstanceId;
import chowder.domain.InstanceSettings;
import chowder.domain.InstanceUpdate;
import chowder.domain.Permission;
import java.time.Clock;
import java.util.List;
import java.util.function.UnaryOperator;

/** Registers, shows and changes instances, always within the caller's organization. */
public final class InstanceService implements RegisterInstanceUseCase, ViewInstancesUseCase, ManageInstancesUseCase {
    private final LoadInstancePort loadInstances;
    private final SaveInstancePort saveInstances;
    private final GatewayAddressPolicyPort addressPolicy;
    private final InstanceHealthService health;
    private final InstanceLimits limits;
    private final Clock clock;

    public InstanceService(LoadInstancePort loadInstances, SaveInstancePort saveInstances, GatewayAddressPolicyPort addressPolicy,
            InstanceHealthService health, InstanceLimits limits, Clock clock) {
        this.loadInstances = requireNonNull(loadInstances, "loadInstances is null");
        this.saveInstances = requireNonNull(saveInstances, "saveInstances is null");
        this.addressPolicy = requireNonNull(addressPolicy, "addressPolicy is null");
        this.health = requireNonNull(health, "health is null");
        this.limits = requireNonNull(limits, "limits is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    @Override
    public Instance register(RegisterInstanceCommand command) {
        command.caller().requireOrganizationKey();
        if (command.gatewayToken() == null) {
            throw ChowderException.validationFailed("gateway_token is required.");
        }
        GatewayUrl url = GatewayUrl.of(command.gatewayUrl());
        Instance instance = Instance.register(command.caller().organizationId(), command.name(), url,
                new GatewayToken(command.gatewayToken()),
                new InstanceSettings(command.modelProvider(), command.openclawConfigJson(), command.region()), clock.instant());
        addressPolicy.check(url);
        if (!saveInstances.insertWithinLimit(instance, limits.maxPerOrganization())) {
            throw new ChowderException(ErrorCode.INSTANCE_LIMIT_REACHED,
                    "Instance limit reached: this organization may have " + limits.maxPerOrganization() + " instances.");
        }
        health.probeSoon(instance);
        return instance;
    }

    @Override
    public List<Instance> list(Caller caller) {
        caller.requireOrganizationKey();
        List<Instance> instances = caller.actsForAllOrganizations()
                ? loadInstances.listAll() : loadInstances.listByOrganization(caller.organizationId());
        return instances.stream().filter(instance -> instance.visibleTo(caller)).toList();
    }

    @Override
    public Instance get(Caller caller, InstanceId id) {
        return VisibleInstances.find(loadInstances, caller, id, Permission.READ);
    }

    @Override
    public Instance update(UpdateInstanceCommand command) {
        // Permission first: nobody without it may make Chowder resolve or validate anything.
        VisibleInstances.find(loadInstances, command.caller(), command.instanceId(), Permission.CONFIGURE);
        InstanceUpdate update = new InstanceUpdate(command.name(), command.gatewayUrl().map(GatewayUrl::of),
                command.gatewayToken().map(GatewayToken::new), command.openclawConfigJson());
        update.gatewayUrl().ifPresent(addressPolicy::check);
        Instance updated = change(command.caller(), command.instanceId(), Permission.CONFIGURE,
                instance -> instance.update(update, clock.instant()));
        health.probeSoon(updated);
        return updated;
    }

    @Override
    public Instance stop(Caller caller, InstanceId id) {
        caller.requireOrganizationKey();
        return change(caller, id, Permission.CONFIGURE, instance -> instance.stop(clock.instant()));
    }

    @Override
    public Instance start(Caller caller, InstanceId id) {
        caller.requireOrganizationKey();
        Instance started = change(caller, id, Permission.CONFIGURE, instance -> instance.start(clock.instant()));
        health.probeSoon(started);
        return started;
    }

    @Override
    public void delete(Caller caller, InstanceId id) {
        caller.requireOrganizationKey();
        change(caller, id, Permission.CONFIGURE, instance -> instance.terminate(clock.instant()));
    }

    /** Applies a transition to the current state, retrying when a concurrent change (a health probe) won the race. */
    private Instance change(Caller caller, InstanceId id, Permission needed, UnaryOperator<Instance> transition) {
        for (int attempt = 0; attempt < 5; attempt++) {
            Instance current = VisibleInstances.find(loadInstances, caller, id, needed);
            Instance changed = transition.apply(current);
            if (saveInstances.updateIfUnchanged(changed, current)) {
                return changed;
            }
        }
        throw new IllegalStateException("instance " + id + " kept changing concurrently");
    }
}
