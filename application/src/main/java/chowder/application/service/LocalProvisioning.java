package chowder.application.service;

import static java.util.Objects.requireNonNull;

import chowder.application.port.in.RegisterInstanceCommand;
import chowder.application.port.out.InstanceProvisionerPort;
import chowder.application.port.out.InstanceProvisionerPort.PreparedGateway;
import chowder.application.port.out.InstanceProvisionerPort.StoredSettings;
import chowder.domain.ChowderException;
import chowder.domain.Instance;
import chowder.domain.InstanceId;
import chowder.domain.InstanceSettings;
import chowder.domain.ModelProviderName;
import java.time.Clock;
import java.util.List;
import java.util.function.Supplier;

/** Gateways run by this Chowder's provisioner, each with its own credential for Chowder's model endpoint. */
record LocalProvisioning(InstanceProvisionerPort provisioner, InstanceHealthService health, ModelAccessService modelAccess,
        ModelCredentials credentials, Clock clock) implements GatewayProvisioning {

    LocalProvisioning {
        requireNonNull(provisioner, "provisioner is null");
        requireNonNull(health, "health is null");
        requireNonNull(modelAccess, "modelAccess is null");
        requireNonNull(credentials, "credentials is null");
        requireNonNull(clock, "clock is null");
    }

    @Override
    public PreparedGateway prepare(RegisterInstanceCommand command, InstanceSettings settings) {
        if (command.gatewayToken() != null) {
            throw ChowderException.validationFailed("gateway_token is accepted only with gateway_url; Chowder makes the token of a gateway it runs.");
        }
        // The provider is fixed at creation, so that the instance shows it and a later change of the operator's default
        // does not move a running agent to another model; the organization must be able to pay for it.
        ModelProviderName provider = settings.modelProvider().map(ModelProviderName::new).orElseGet(modelAccess::defaultProvider);
        modelAccess.requireUsable(command.caller().organizationId(), provider);
        return provisioner.prepare(settings.withModelProvider(provider.value()));
    }

    @Override
    public void launch(Instance instance, StoredSettings settings) {
        provisioner.start(instance, settings, health.eventsOf(instance), credentials.issue(instance.id()));
    }

    @Override
    public void check(Instance changed) {
        provisioner.check(changed.settings());
    }

    @Override
    public Instance relaunch(Instance next) {
        provisioner.ensureAvailable();
        return next.relaunch(provisioner.freeAddress(), clock.instant());
    }

    @Override
    public void stop(InstanceId id) {
        provisioner.stop(id);
        credentials.revoke(id);
    }

    @Override
    public void remove(InstanceId id) {
        provisioner.remove(id);
        credentials.revoke(id);
    }

    @Override
    public List<Instance> toResume(Supplier<List<Instance>> probed) {
        return probed.get().stream().filter(Instance::provisioned).toList();
    }

    @Override
    public Instance resumed(Instance instance) {
        return instance.relaunch(provisioner.freeAddress(), clock.instant());
    }
}
