package chowder.application.service;

import chowder.application.port.in.RegisterInstanceCommand;
import chowder.application.port.out.InstanceProvisionerPort;
import chowder.application.port.out.InstanceProvisionerPort.PreparedGateway;
import chowder.application.port.out.InstanceProvisionerPort.StoredSettings;
import chowder.domain.Instance;
import chowder.domain.InstanceId;
import chowder.domain.InstanceSettings;
import java.time.Clock;
import java.util.List;
import java.util.function.Supplier;

/**
 * What {@link InstanceService} asks of the gateways Chowder runs itself: {@link LocalProvisioning} when the provisioner
 * is on, {@link NoProvisioning} (refusals and nothing to stop) when this Chowder only registers gateways run by others.
 */
sealed interface GatewayProvisioning permits LocalProvisioning, NoProvisioning {

    /** The one place that looks at whether the provisioner is on. */
    static GatewayProvisioning of(InstanceProvisionerPort provisioner, InstanceHealthService health, ModelAccessService modelAccess,
            ModelCredentials credentials, Clock clock) {
        return provisioner.enabled() ? new LocalProvisioning(provisioner, health, modelAccess, credentials, clock) : new NoProvisioning();
    }

    /** Checks a request for a new provisioned instance and chooses its gateway's address, token and model provider. */
    PreparedGateway prepare(RegisterInstanceCommand command, InstanceSettings settings);

    /** Starts (or restarts) a provisioned instance's gateway with its skills' and channels' settings. */
    void launch(Instance instance, StoredSettings settings);

    /** Checks that a provisioned instance's changed settings can run (at its next start). */
    void check(Instance changed);

    /** A stopped provisioned instance about to start again, on a fresh address; refused when no gateway can start now. */
    Instance relaunch(Instance next);

    /** Stops a provisioned instance's gateway and revokes its model endpoint credential. */
    void stop(InstanceId id);

    /** Stops a provisioned instance's gateway for good; its state goes once the retention has passed. */
    void remove(InstanceId id);

    /**
     * Of the instances that should run ({@code probed}, read only when needed), the provisioned ones whose gateways this
     * Chowder runs again after a restart.
     */
    List<Instance> toResume(Supplier<List<Instance>> probed);

    /** A provisioned instance brought back after a restart, on a fresh address (its old port may be taken). */
    Instance resumed(Instance instance);
}
