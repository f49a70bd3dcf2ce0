package chowder.domain;

import static java.util.Objects.requireNonNull;

import java.util.UUID;

/** The identity of an organization, the tenant that owns keys and instances. */
public record OrganizationId(UUID value) {
    public OrganizationId {
        requireNonNull(value, "value is null");
    }

    public static OrganizationId random() {
        return new OrganizationId(UUID.randomUUID());
    }

    @Override
    public String toString() {
        return value.toString();
    }
}
