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
        Instant createdAt,
        KeyScope scope) {

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
        requireNonNull(scope, "scope is null");
        if (kind == ApiKeyKind.ORGANIZATION && !scope.equals(KeyScope.UNRESTRICTED)) {
            throw new IllegalArgumentException("an organization key has no scope");
        }
    }

    /** A new, active organization key for the given secret. */
    public static ApiKey issue(OrganizationId organizationId, String name, ApiKeySecret secret, Instant now) {
        return issue(organizationId, name, secret, KeyScope.UNRESTRICTED, Optional.empty(), now);
    }

    /** A new, active key; a scoped key needs at least one instance, and an expiry must lie in the future. */
    public static ApiKey issue(OrganizationId organizationId, String name, ApiKeySecret secret, KeyScope scope,
            Optional<Instant> expiresAt, Instant now) {
        if (secret.kind() == ApiKeyKind.SCOPED && scope.instances().isEmpty()) {
            throw ChowderException.validationFailed("instance_ids: a scoped key needs at least one instance.");
        }
        if (expiresAt.filter(expiry -> !expiry.isAfter(now)).isPresent()) {
            throw ChowderException.validationFailed("expires_at must be in the future.");
        }
        return new ApiKey(ApiKeyId.random(), organizationId, name, secret.kind(), secret.displayPrefix(),
                secret.hash(), true, expiresAt, Optional.empty(), now, scope);
    }

    /** This key, revoked: it stops working at once and for good. */
    public ApiKey revoke() {
        return new ApiKey(id, organizationId, name, kind, keyPrefix, hash, false, expiresAt, lastUsedAt, createdAt, scope);
    }

    /** Whether a request presenting this key at {@code now} is let in. */
    public boolean usableAt(Instant now) {
        return active && expiresAt.map(now::isBefore).orElse(true);
    }
}
