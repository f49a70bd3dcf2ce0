package chowder.application.service;

import static java.util.Objects.requireNonNull;

import chowder.application.port.in.ManageInstancesUseCase;
import chowder.application.port.in.RegisterInstanceCommand;
import chowder.application.port.in.RegisterInstanceUseCase;
import chowder.application.port.in.ResumeProvisionedInstancesUseCase;
import chowder.application.port.in.UpdateInstanceCommand;
import chowder.application.port.in.ViewInstancesUseCase;
import chowder.application.port.out.GatewayAddressPolicyPort;
import chowder.application.port.out.InstanceProvisionerPort;
import chowder.application.port.out.InstanceProvisionerPort.PreparedGateway;
import chowder.application.port.out.InstanceProvisionerPort.StoredSettings;
import chowder.application.port.out.LimitSettingsPort;
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
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Registers or provisions, shows and changes instances, always within the caller's organization. The
 * gateways of provisioned instances are started, stopped and removed with them.
 */
public final class InstanceService implements RegisterInstanceUseCase, ViewInstancesUseCase, ManageInstancesUseCase,
        ResumeProvisionedInstancesUseCase {
    private final LoadInstancePort loadInstances;
    private final SaveInstancePort saveInstances;
    private final GatewayAddressPolicyPort addressPolicy;
    private final InstanceHealthService health;
    private final InstanceLimits limits;
    private final LimitSettingsPort plans;
    private final InstanceProvisionerPort provisioner;
    private final GatewayProvisioning provisioning;
    private final GatewaySettings gatewaySettings;
    private final Clock clock;

    /** An instance service that only registers gateways run by others; every organization has the default plan. */
    public InstanceService(LoadInstancePort loadInstances, SaveInstancePort saveInstances, GatewayAddressPolicyPort addressPolicy,
            InstanceHealthService health, InstanceLimits limits, Clock clock) {
        this(loadInstances, saveInstances, addressPolicy, health, limits, LimitSettingsPort.DEFAULTS, InstanceProvisionerPort.DISABLED,
                GatewaySettings.NONE, null, null, clock);
    }

    /**
     * @param plans each organization's plan, which may hold its own instance limit
     * @param gatewaySettings the skill and channel settings a provisioned gateway is started with
     * @param modelAccess which model providers an organization may use (needed when the provisioner is on)
     * @param credentials the credentials provisioned gateways present to Chowder's model endpoint (likewise)
     */
    public InstanceService(LoadInstancePort loadInstances, SaveInstancePort saveInstances, GatewayAddressPolicyPort addressPolicy,
            InstanceHealthService health, InstanceLimits limits, LimitSettingsPort plans, InstanceProvisionerPort provisioner,
            GatewaySettings gatewaySettings, ModelAccessService modelAccess, ModelCredentials credentials, Clock clock) {
        this.loadInstances = requireNonNull(loadInstances, "loadInstances is null");
        this.saveInstances = requireNonNull(saveInstances, "saveInstances is null");
        this.addressPolicy = requireNonNull(addressPolicy, "addressPolicy is null");
        this.health = requireNonNull(health, "health is null");
        this.limits = requireNonNull(limits, "limits is null");
        this.plans = requireNonNull(plans, "plans is null");
        this.provisioner = requireNonNull(provisioner, "provisioner is null");
        this.gatewaySettings = requireNonNull(gatewaySettings, "gatewaySettings is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.provisioning = GatewayProvisioning.of(provisioner, health, modelAccess, credentials, clock);
    }

    @Override
    public Instance register(RegisterInstanceCommand command) {
        command.caller().requireOrganizationKey();
        InstanceSettings settings = new InstanceSettings(command.modelProvider(), command.openclawConfigJson(), command.region());
        if (command.gatewayUrl() == null) {
            return provision(command, settings);
        }
        if (command.gatewayToken() == null) {
            throw ChowderException.validationFailed("gateway_token is required.");
        }
        GatewayUrl url = GatewayUrl.of(command.gatewayUrl());
        Instance instance = Instance.register(command.caller().organizationId(), command.name(), url,
                new GatewayToken(command.gatewayToken()), settings, clock.instant());
        addressPolicy.check(url);
        insertWithinLimit(instance);
        health.probeSoon(instance);
        return instance;
    }

    /** A new gateway run by Chowder: no client chooses its address or token. */
    private Instance provision(RegisterInstanceCommand command, InstanceSettings settings) {
        PreparedGateway prepared = provisioning.prepare(command, settings);
        Instance instance = Instance.provision(command.caller().organizationId(), command.name(), prepared.url(), prepared.token(),
                prepared.settings(), clock.instant());
        insertWithinLimit(instance);
        // A new instance has no skill or channel settings yet: nothing to read.
        provisioning.launch(instance, StoredSettings.NONE);
        return instance;
    }

    private void insertWithinLimit(Instance instance) {
        int limit = plans.planOf(instance.organizationId()).value().effectiveInstanceLimit(limits.maxPerOrganization());
        if (!saveInstances.insertWithinLimit(instance, limit)) {
            throw new ChowderException(ErrorCode.INSTANCE_LIMIT_REACHED,
                    "Instance limit reached: this organization may have " + limit + " instance" + (limit == 1 ? "" : "s") + ".");
        }
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
    public Optional<String> sandboxOf(Instance instance) {
        return instance.provisioned() ? provisioner.sandbox() : Optional.empty();
    }

    @Override
    public Instance update(UpdateInstanceCommand command) {
        // Permission first: nobody without it may make Chowder resolve or validate anything.
        VisibleInstances.find(loadInstances, command.caller(), command.instanceId(), Permission.CONFIGURE);
        InstanceUpdate update = new InstanceUpdate(command.name(), command.gatewayUrl().map(GatewayUrl::of),
                command.gatewayToken().map(GatewayToken::new), command.openclawConfigJson());
        update.gatewayUrl().ifPresent(addressPolicy::check);
        Instance updated = change(command.caller(), command.instanceId(), Permission.CONFIGURE, instance -> {
            Instance changed = instance.update(update, clock.instant());
            // A provisioned gateway takes its new settings at its next start; they must name a configured model.
            if (changed.provisioned()) {
                provisioning.check(changed);
            }
            return changed;
        });
        health.probeSoon(updated);
        return updated;
    }

    @Override
    public Instance stop(Caller caller, InstanceId id) {
        caller.requireOrganizationKey();
        Instance stopped = change(caller, id, Permission.CONFIGURE, instance -> instance.stop(clock.instant()));
        if (stopped.provisioned()) {
            provisioning.stop(id);
        }
        return stopped;
    }

    @Override
    public Instance start(Caller caller, InstanceId id) {
        caller.requireOrganizationKey();
        Instance started = change(caller, id, Permission.CONFIGURE, instance -> {
            Instance next = instance.start(clock.instant());
            return next.provisioned() ? provisioning.relaunch(next) : next;
        });
        if (started.provisioned()) {
            provisioning.launch(started, gatewaySettings.of(started.id()));
        } else {
            health.probeSoon(started);
        }
        return started;
    }

    @Override
    public void delete(Caller caller, InstanceId id) {
        caller.requireOrganizationKey();
        Instance deleted = change(caller, id, Permission.CONFIGURE, instance -> instance.terminate(clock.instant()));
        if (deleted.provisioned()) {
            provisioning.remove(id);
        }
        gatewaySettings.deleteAll(id);
    }

    @Override
    public void resumeProvisioned() {
        for (Instance instance : provisioning.toResume(loadInstances::listProbed)) {
            Instance relaunched = provisioning.resumed(instance);
            if (saveInstances.updateIfUnchanged(relaunched, instance)) {
                provisioning.launch(relaunched, gatewaySettings.of(relaunched.id()));
            }
        }
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
