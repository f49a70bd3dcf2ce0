package chowder.domain;

/** Every way a request can fail, as the domain names it; the HTTP edge maps each to a status. */
public enum ErrorCode {
    INVALID_REQUEST,
    INVALID_SESSION_ID,
    VALIDATION_FAILED,
    MISSING_API_KEY,
    INVALID_API_KEY,
    PERMISSION_DENIED,
    /** The operator suspended the caller's organization (403): its keys and its gateways' model calls are refused. */
    ORGANIZATION_SUSPENDED,
    NOT_FOUND,
    FILE_NOT_FOUND,
    FILE_CONFLICT,
    INSTANCE_NOT_FOUND,
    API_KEY_NOT_FOUND,
    SESSION_NOT_FOUND,
    SKILL_NOT_FOUND,
    INSTANCE_NOT_RUNNING,
    INSTANCE_STATE_CONFLICT,
    INSTANCE_LIMIT_REACHED,
    /** An organization holds as many keys as it may, too few of them revoked or expired to make room (409). */
    KEY_LIMIT_REACHED,
    /** A token budget or request rate of an organization, key or session is spent (429). */
    LIMIT_EXCEEDED,
    /** Billing (subscription checkout and portal) is not part of a self-hosted Chowder unless configured. */
    BILLING_DISABLED,
    GATEWAY_ADDRESS_FORBIDDEN,
    PAYLOAD_TOO_LARGE,
    REQUEST_CANCELLED,
    NOT_READY,
    PROVISIONER_UNAVAILABLE,
    OVERLOADED,
    GATEWAY_UNAVAILABLE,
    GATEWAY_CREDENTIALS_REJECTED,
    GATEWAY_REJECTED_REQUEST,
    GATEWAY_FAILED,
    GATEWAY_TIMEOUT,
    /** A skill registry (ClawHub) could not be reached or refused the install. */
    SKILL_REGISTRY_FAILED,
    /** A channel plugin's registry (npm) could not be reached or refused the install. */
    PLUGIN_REGISTRY_FAILED
}
