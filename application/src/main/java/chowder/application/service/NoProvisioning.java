package chowder.application.service;

import chowder.application.port.in.RegisterInstanceCommand;
import chowder.application.port.out.InstanceProvisionerPort.PreparedGateway;
import chowder.application.port.out.InstanceProvisionerPort.StoredSettings;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.Instance;
import chowder.domain.InstanceId;
import chowder.domain.InstanceSettings;
import java.util.List;
import java.util.function.Supplier;

/**
 * A Chowder that only registers gateways run by others: a new provisioned instance is a validation error naming the
 * operator's switch, an existing one (from when the provisioner was on) cannot start, and there is nothing to stop.
 */
record NoProvisioning() implements GatewayProvisioning {

    @Override
    public PreparedGateway prepare(RegisterInstanceCommand command, InstanceSettings settings) {
        throw ChowderException.validationFailed(
                "gateway_url is required: this Chowder registers gateways that already run and does not provision them "
                        + "(its operator can have it run one per instance with CHOWDER_PROVISIONER=local).");
    }

    @Override
    public void launch(Instance instance, StoredSettings settings) {
        throw notProvisioning();
    }

    @Override
    public void check(Instance changed) {
        // Checked when it can start again, on a Chowder that provisions.
    }

    @Override
    public Instance relaunch(Instance next) {
        throw notProvisioning();
    }

    @Override
    public void stop(InstanceId id) {
        // No gateway of it runs here.
    }

    @Override
    public void remove(InstanceId id) {
        // No gateway of it runs here, and no state of it is kept here.
    }

    @Override
    public List<Instance> toResume(Supplier<List<Instance>> probed) {
        return List.of();
    }

    @Override
    public Instance resumed(Instance instance) {
        throw notProvisioning();
    }

    private static ChowderException notProvisioning() {
        return new ChowderException(ErrorCode.INSTANCE_STATE_CONFLICT,
                "This instance's gateway was provisioned by Chowder, but the local provisioner is off.");
    }
}
