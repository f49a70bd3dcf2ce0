package chowder.domain;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;

/**
 * A tenant: it owns API keys and instances, and sees nothing of other organizations. While its operator has it
 * suspended ({@code suspendedAt} present) none of its keys is let in and its gateways' model calls are refused; its
 * instances keep running.
 */
public record Organization(OrganizationId id, String name, Instant createdAt, Instant updatedAt, Optional<Instant> suspendedAt) {
    /** What a suspended organization's requests are told. */
    public static final String SUSPENDED = "This organization is suspended by its operator.";

    public Organization {
        requireNonNull(id, "id is null");
        name = Names.check("name", name);
        requireNonNull(createdAt, "createdAt is null");
        requireNonNull(updatedAt, "updatedAt is null");
        requireNonNull(suspendedAt, "suspendedAt is null");
    }

    /** An organization that is not suspended. */
    public Organization(OrganizationId id, String name, Instant createdAt, Instant updatedAt) {
        this(id, name, createdAt, updatedAt, Optional.empty());
    }

    public static Organization create(String name, Instant now) {
        return new Organization(OrganizationId.random(), name, now, now);
    }

    public boolean suspended() {
        return suspendedAt.isPresent();
    }

    public Organization rename(String newName, Instant now) {
        return new Organization(id, newName, createdAt, now, suspendedAt);
    }

    /** Suspended since {@code now}, or since when it already was; {@code false}: no longer suspended. */
    public Organization suspended(boolean suspend, Instant now) {
        if (suspend == suspended()) {
            return this;
        }
        return new Organization(id, name, createdAt, now, suspend ? Optional.of(now) : Optional.empty());
    }

    /** Throws unless the organization may act: its keys and its gateways' model calls are refused while it is suspended. */
    public void requireActive() {
        if (suspended()) {
            throw new ChowderException(ErrorCode.ORGANIZATION_SUSPENDED, SUSPENDED);
        }
    }
}
