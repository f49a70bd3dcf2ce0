package chowder.domain;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;

/** A stored API key: who owns it, what kind it is, and whether it still works. Holds only the hash. */
public record ApiKey(
        ApiKeyId id,
        OrganizationId organizationId,
        String name,
        ApiKeyKind kind,
        String keyPrefix,
        ApiKeyHash hash,
        boolean active,
        Optional<Instant> expiresAt,
        Optional<Instant> lastUsedAt,
        Instant createdAt) {

    public ApiKey {
        requireNonNull(id, "id is null");
        requireNonNull(organizationId, "organizationId is null");
        name = Names.check("name", name);
        requireNonNull(kind, "kind is null");
        requireNonNull(keyPrefix, "keyPrefix is null");
        requireNonNull(hash, "hash is null");
        requireNonNull(expiresAt, "expiresAt is null");
        requireNonNull(lastUsedAt, "lastUsedAt is null");
        requireNonNull(createdAt, "createdAt is null");
    }

    /** A new, active key for the given secret. */
    public static ApiKey issue(OrganizationId organizationId, String name, ApiKeySecret secret, Instant now) {
        return new ApiKey(ApiKeyId.random(), organizationId, name, secret.kind(), secret.displayPrefix(),
                secret.hash(), true, Optional.empty(), Optional.empty(), now);
    }

    /** Whether a request presenting this key at {@code now} is let in. */
    public boolean usableAt(Instant now) {
        return active && expiresAt.map(now::isBefore).orElse(true);
    }
}
