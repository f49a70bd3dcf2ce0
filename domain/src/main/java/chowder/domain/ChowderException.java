package chowder.domain;

import static java.util.Objects.requireNonNull;

/**
 * The one unchecked error of Chowder: a code that decides the answer's status and a message that is
 * safe to show to the API consumer (it never contains a secret).
 */
public sealed class ChowderException extends RuntimeException permits GatewayRejectedException, LimitExceededException, OverloadedException {
    private final ErrorCode code;

    public ChowderException(ErrorCode code, String message) {
        super(message);
        this.code = requireNonNull(code, "code is null");
    }

    public ChowderException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = requireNonNull(code, "code is null");
    }

    public ErrorCode code() {
        return code;
    }

    public static ChowderException instanceNotFound() {
        return new ChowderException(ErrorCode.INSTANCE_NOT_FOUND, "Instance not found.");
    }

    public static ChowderException invalidRequest(String message) {
        return new ChowderException(ErrorCode.INVALID_REQUEST, message);
    }

    public static ChowderException validationFailed(String message) {
        return new ChowderException(ErrorCode.VALIDATION_FAILED, message);
    }
}
