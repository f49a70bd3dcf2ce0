package chowder.application.port.in;

import static java.util.Objects.requireNonNull;

import chowder.domain.Caller;
import chowder.domain.InstanceId;
import java.util.Optional;

/** Change an instance's name, gateway URL, gateway token or OpenClaw config; absent fields stay. */
public record UpdateInstanceCommand(
        Caller caller,
        InstanceId instanceId,
        Optional<String> name,
        Optional<String> gatewayUrl,
        Optional<String> gatewayToken,
        Optional<String> openclawConfigJson) {
    public UpdateInstanceCommand {
        requireNonNull(caller, "caller is null");
        requireNonNull(instanceId, "instanceId is null");
        requireNonNull(name, "name is null");
        requireNonNull(gatewayUrl, "gatewayUrl is null");
        requireNonNull(gatewayToken, "gatewayToken is null");
        requireNonNull(openclawConfigJson, "openclawConfigJson is null");
    }

    @Override
    public String toString() {
        return "UpdateInstanceCommand[caller=" + caller + ", instanceId=" + instanceId + ", name=" + name + ", gatewayUrl=" + gatewayUrl
                + ", gatewayToken=" + (gatewayToken.isPresent() ? "redacted" : "unchanged") + "]";
    }
}
