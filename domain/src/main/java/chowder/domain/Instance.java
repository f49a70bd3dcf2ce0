package chowder.domain;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;

/** One OpenClaw gateway registered by an organization; requests reach it only while it is running. */
public record Instance(
        InstanceId id,
        OrganizationId organizationId,
        String name,
        InstanceStatus status,
        GatewayUrl gatewayUrl,
        GatewayToken gatewayToken,
        Optional<String> errorMessage,
        Instant createdAt,
        Instant updatedAt) {

    public Instance {
        requireNonNull(id, "id is null");
        requireNonNull(organizationId, "organizationId is null");
        name = Names.check("name", name);
        requireNonNull(status, "status is null");
        requireNonNull(gatewayUrl, "gatewayUrl is null");
        requireNonNull(gatewayToken, "gatewayToken is null");
        requireNonNull(errorMessage, "errorMessage is null");
        requireNonNull(createdAt, "createdAt is null");
        requireNonNull(updatedAt, "updatedAt is null");
    }

    /**
     * Registers a gateway that already runs. Until background health probing exists, a registered
     * gateway is taken as running at once.
     */
    public static Instance register(
            OrganizationId organizationId, String name, GatewayUrl gatewayUrl, GatewayToken gatewayToken, Instant now) {
        return new Instance(InstanceId.random(), organizationId, name, InstanceStatus.RUNNING, gatewayUrl,
                gatewayToken, Optional.empty(), now, now);
    }

    /** Whether the caller may see this instance at all: its own organization's, and not deleted. */
    public boolean visibleTo(Caller caller) {
        return caller.owns(organizationId) && status != InstanceStatus.TERMINATED;
    }

    /** Throws unless the instance accepts traffic. */
    public void ensureRunning() {
        if (status != InstanceStatus.RUNNING) {
            throw new ChowderException(ErrorCode.INSTANCE_NOT_RUNNING, "Instance is not running.");
        }
    }
}
