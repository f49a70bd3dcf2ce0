package chowder.domain;

import static java.util.Objects.requireNonNull;

import java.util.UUID;

/**
 * The party of a request: an API key's organization and the key, or the operator at the command line,
 * who acts as an organization key of any organization.
 */
public record Caller(OrganizationId organizationId, ApiKeyId keyId, ApiKeyKind kind, boolean isOperator, KeyScope scope) {
    private static final ApiKeyId OPERATOR_KEY = new ApiKeyId(new UUID(0, 0));
    private static final OrganizationId NO_ORGANIZATION = new OrganizationId(new UUID(0, 0));

    public Caller {
        requireNonNull(organizationId, "organizationId is null");
        requireNonNull(keyId, "keyId is null");
        requireNonNull(kind, "kind is null");
        requireNonNull(scope, "scope is null");
    }

    public static Caller of(ApiKey key) {
        return new Caller(key.organizationId(), key.id(), key.kind(), false, key.scope());
    }

    /** The operator acting for one organization (what it creates belongs to that organization). */
    public static Caller operatorFor(OrganizationId organizationId) {
        return new Caller(organizationId, OPERATOR_KEY, ApiKeyKind.ORGANIZATION, true, KeyScope.UNRESTRICTED);
    }

    /** The operator acting across all organizations. */
    public static Caller allOrganizations() {
        return operatorFor(NO_ORGANIZATION);
    }

    /** Throws unless the caller holds an organization key (which manages instances and keys). */
    public void requireOrganizationKey() {
        if (kind != ApiKeyKind.ORGANIZATION) {
            throw new ChowderException(ErrorCode.PERMISSION_DENIED, "This action needs an organization key (chd_org_...).");
        }
    }

    /** The operator without an organization of its own: sees every organization's resources. */
    public boolean actsForAllOrganizations() {
        return isOperator && organizationId.equals(NO_ORGANIZATION);
    }

    public boolean owns(OrganizationId owner) {
        return isOperator || organizationId.equals(owner);
    }

    /**
     * Throws unless the caller may act on the instance with the permission. An organization key may do
     * everything; a scoped key that was not granted the instance does not see it (404, like another
     * organization's), and one that lacks the permission is refused (403). So is a key bound to sessions that
     * holds a permission reaching every session of the instance: keys created since that combination is refused
     * cannot hold one, but a key stored before may.
     */
    public void requirePermission(InstanceId instance, Permission permission) {
        if (kind == ApiKeyKind.ORGANIZATION) {
            return;
        }
        var granted = scope.instances().get(instance);
        if (granted == null) {
            throw ChowderException.instanceNotFound();
        }
        if (!granted.contains(permission)) {
            throw new ChowderException(ErrorCode.PERMISSION_DENIED, "This key lacks the '" + permission.wireName() + "' permission on this instance.");
        }
        if (scope.sessionBound() && permission.instanceWideBecause().isPresent()) {
            throw new ChowderException(ErrorCode.PERMISSION_DENIED, "A key bound to sessions cannot use the '" + permission.wireName()
                    + "' permission: " + permission.instanceWideBecause().get() + ".");
        }
    }

    /** Throws unless the key may use the session (keys bound to sessions, an extension of the hosted API). */
    public void requireSession(SessionId session) {
        if (!scope.allowsSession(session)) {
            throw new ChowderException(ErrorCode.PERMISSION_DENIED, "This key may not use this session.");
        }
    }
}
