package chowder.domain;

import static java.util.Objects.requireNonNull;

/** The authenticated party of a request: the organization its key belongs to, and the key. */
public record Caller(OrganizationId organizationId, ApiKeyId keyId, ApiKeyKind kind) {
    public Caller {
        requireNonNull(organizationId, "organizationId is null");
        requireNonNull(keyId, "keyId is null");
        requireNonNull(kind, "kind is null");
    }

    public static Caller of(ApiKey key) {
        return new Caller(key.organizationId(), key.id(), key.kind());
    }

    /** Throws unless the caller holds an organization key (which manages instances and keys). */
    public void requireOrganizationKey() {
        if (kind != ApiKeyKind.ORGANIZATION) {
            throw new ChowderException(ErrorCode.PERMISSION_DENIED, "This action needs an organization key (chd_org_...).");
        }
    }

    public boolean owns(OrganizationId owner) {
        return organizationId.equals(owner);
    }
}
