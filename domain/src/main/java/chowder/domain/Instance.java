package chowder.domain;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;

/**
 * One OpenClaw gateway registered by an organization, and its lifecycle:
 * {@code provisioning → running ⇄ error}, {@code running/error/provisioning → stopped → provisioning},
 * and anything but terminated {@code → terminated}. Only a stopped (or terminated) instance refuses
 * traffic; health states are observations, and a request to an unhealthy gateway gets the gateway's
 * own failure.
 */
public record Instance(
        InstanceId id,
        OrganizationId organizationId,
        String name,
        InstanceStatus status,
        GatewayUrl gatewayUrl,
        GatewayToken gatewayToken,
        GatewayHosting hosting,
        InstanceSettings settings,
        Optional<String> errorMessage,
        Instant createdAt,
        Instant updatedAt) {

    public static final int MAX_ERROR_MESSAGE_LENGTH = 1000;

    public Instance {
        requireNonNull(id, "id is null");
        requireNonNull(organizationId, "organizationId is null");
        name = Names.check("name", name);
        requireNonNull(status, "status is null");
        requireNonNull(gatewayUrl, "gatewayUrl is null");
        requireNonNull(gatewayToken, "gatewayToken is null");
        requireNonNull(hosting, "hosting is null");
        requireNonNull(settings, "settings is null");
        requireNonNull(errorMessage, "errorMessage is null");
        requireNonNull(createdAt, "createdAt is null");
        requireNonNull(updatedAt, "updatedAt is null");
    }

    /** Registers a gateway that already runs; it is provisioning until its first successful health probe. */
    public static Instance register(OrganizationId organizationId, String name, GatewayUrl gatewayUrl, GatewayToken gatewayToken,
            InstanceSettings settings, Instant now) {
        return new Instance(InstanceId.random(), organizationId, name, InstanceStatus.PROVISIONING, gatewayUrl, gatewayToken,
                GatewayHosting.EXTERNAL, settings, Optional.empty(), now, now);
    }

    /**
     * A gateway Chowder runs itself, at the address and with the token its provisioner prepared; it is
     * provisioning until the gateway answers ready.
     */
    public static Instance provision(OrganizationId organizationId, String name, GatewayUrl gatewayUrl,
            GatewayToken gatewayToken, InstanceSettings settings, Instant now) {
        return new Instance(InstanceId.random(), organizationId, name, InstanceStatus.PROVISIONING, gatewayUrl, gatewayToken,
                GatewayHosting.LOCAL, settings, Optional.empty(), now, now);
    }

    /** Whether Chowder runs this instance's gateway (and so its process, state and workspace). */
    public boolean provisioned() {
        return hosting == GatewayHosting.LOCAL;
    }

    /** Whether the caller may see this instance at all: its own organization's, and not deleted. */
    public boolean visibleTo(Caller caller) {
        return caller.owns(organizationId) && status != InstanceStatus.TERMINATED;
    }

    /** Throws unless the instance accepts traffic: everything but a stopped (or deleted) one does. */
    public void ensureRunning() {
        if (status == InstanceStatus.STOPPED || status == InstanceStatus.TERMINATED) {
            throw new ChowderException(ErrorCode.INSTANCE_NOT_RUNNING, "Instance is not running.");
        }
    }

    /** Whether background health probing watches it. */
    public boolean probed() {
        return status == InstanceStatus.PROVISIONING || status == InstanceStatus.RUNNING || status == InstanceStatus.ERROR;
    }

    public Instance stop(Instant now) {
        if (status == InstanceStatus.STOPPED) {
            throw conflict("Instance is already stopped.");
        }
        if (!probed()) {
            throw conflict("Instance is not running.");
        }
        return with(InstanceStatus.STOPPED, Optional.empty(), now);
    }

    public Instance start(Instant now) {
        if (status != InstanceStatus.STOPPED) {
            throw conflict(switch (status) {
                case RUNNING -> "Instance is already running; stop it first to start it again.";
                case PROVISIONING -> "Instance is already starting (provisioning); stop it first to start it again.";
                default -> "Instance is not stopped (it is " + status.wireName() + "); stop it first to start it again.";
            });
        }
        return with(InstanceStatus.PROVISIONING, Optional.empty(), now);
    }

    /**
     * A provisioned gateway launched again at a new address (its port may have been taken while it did
     * not run): provisioning until it answers ready.
     */
    public Instance relaunch(GatewayUrl address, Instant now) {
        if (!provisioned()) {
            throw new IllegalStateException("only a provisioned gateway is launched by Chowder");
        }
        if (!probed()) {
            throw conflict("Instance is not running.");
        }
        return new Instance(id, organizationId, name, InstanceStatus.PROVISIONING, address, gatewayToken, hosting, settings,
                Optional.empty(), createdAt, now);
    }

    public Instance terminate(Instant now) {
        if (status == InstanceStatus.TERMINATED) {
            throw ChowderException.instanceNotFound();
        }
        return with(InstanceStatus.TERMINATED, Optional.empty(), now);
    }

    /** The outcome of a health probe; null when it changes nothing (so nothing needs to be written). */
    public Instance observed(Optional<String> failure, Instant now) {
        if (!probed()) {
            return null;
        }
        InstanceStatus next = failure.isPresent() ? InstanceStatus.ERROR : InstanceStatus.RUNNING;
        Optional<String> message = failure.map(text -> text.length() > MAX_ERROR_MESSAGE_LENGTH ? text.substring(0, MAX_ERROR_MESSAGE_LENGTH) : text);
        if (next == status && message.equals(errorMessage)) {
            return null;
        }
        return with(next, message, now);
    }

    /** A changed configuration; a new address or token is re-probed from provisioning. */
    public Instance update(InstanceUpdate update, Instant now) {
        if (status == InstanceStatus.TERMINATED) {
            throw ChowderException.instanceNotFound();
        }
        // A provisioned gateway's address and token are Chowder's own; nobody may point the instance elsewhere.
        if (provisioned() && (update.gatewayUrl().isPresent() || update.gatewayToken().isPresent())) {
            throw ChowderException.validationFailed("gateway_url and gateway_token of an instance provisioned by Chowder cannot be changed.");
        }
        GatewayUrl url = update.gatewayUrl().orElse(gatewayUrl);
        // The stored token must never be sent to an address it was not given for.
        if (!url.equals(gatewayUrl) && update.gatewayToken().isEmpty()) {
            throw ChowderException.validationFailed("gateway_token is required when gateway_url changes.");
        }
        GatewayToken token = update.gatewayToken().orElse(gatewayToken);
        boolean readdressed = !url.equals(gatewayUrl) || !token.equals(gatewayToken);
        InstanceStatus nextStatus = readdressed && probed() ? InstanceStatus.PROVISIONING : status;
        return new Instance(id, organizationId, update.name().orElse(name), nextStatus, url, token, hosting,
                update.openclawConfig().map(settings::withOpenclawConfig).orElse(settings),
                readdressed && probed() ? Optional.empty() : errorMessage, createdAt, now);
    }

    private Instance with(InstanceStatus nextStatus, Optional<String> message, Instant now) {
        return new Instance(id, organizationId, name, nextStatus, gatewayUrl, gatewayToken, hosting, settings, message, createdAt, now);
    }

    private static ChowderException conflict(String message) {
        return new ChowderException(ErrorCode.INSTANCE_STATE_CONFLICT, message);
    }
}
