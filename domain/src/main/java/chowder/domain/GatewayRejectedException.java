package chowder.domain;

import java.util.Optional;

/**
 * The gateway refused the request itself (a 4xx other than an authentication failure): the API
 * consumer gets the gateway's status and message, and its {@code Retry-After} when it sent one.
 */
public final class GatewayRejectedException extends ChowderException {
    private final int status;
    private final String retryAfter;

    public GatewayRejectedException(int status, String message, Optional<String> retryAfter) {
        super(ErrorCode.GATEWAY_REJECTED_REQUEST, message);
        if (status < 400 || status > 499) {
            throw new IllegalArgumentException("status is not a 4xx: " + status);
        }
        this.status = status;
        this.retryAfter = retryAfter.orElse(null);
    }

    public int status() {
        return status;
    }

    public Optional<String> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
