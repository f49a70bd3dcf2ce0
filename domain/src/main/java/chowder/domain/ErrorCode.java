package chowder.domain;

/** Every way a request can fail, as the domain names it; the HTTP edge maps each to a status. */
public enum ErrorCode {
    INVALID_REQUEST,
    INVALID_SESSION_ID,
    VALIDATION_FAILED,
    MISSING_API_KEY,
    INVALID_API_KEY,
    PERMISSION_DENIED,
    NOT_FOUND,
    INSTANCE_NOT_FOUND,
    INSTANCE_NOT_RUNNING,
    PAYLOAD_TOO_LARGE,
    REQUEST_CANCELLED,
    GATEWAY_UNAVAILABLE,
    GATEWAY_CREDENTIALS_REJECTED,
    GATEWAY_REJECTED_REQUEST,
    GATEWAY_FAILED,
    GATEWAY_TIMEOUT
}
