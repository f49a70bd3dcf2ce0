package chowder.domain;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/** A tenant: it owns API keys and instances, and sees nothing of other organizations. */
public record Organization(OrganizationId id, String name, Instant createdAt, Instant updatedAt) {
    public Organization {
        requireNonNull(id, "id is null");
        name = Names.check("name", name);
        requireNonNull(createdAt, "createdAt is null");
        requireNonNull(updatedAt, "updatedAt is null");
    }

    public static Organization create(String name, Instant now) {
        return new Organization(OrganizationId.random(), name, now, now);
    }
}
