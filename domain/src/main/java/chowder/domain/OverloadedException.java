package chowder.domain;

/**
 * Chowder holds as much as it may of something shared (memory for answers or request bodies): 503, with how many
 * seconds a retry should wait ({@code Retry-After}), which depends on how soon what is held is given back.
 */
public final class OverloadedException extends ChowderException {
    private final long retryAfterSeconds;

    public OverloadedException(String message, long retryAfterSeconds) {
        super(ErrorCode.OVERLOADED, message);
        if (retryAfterSeconds < 1) {
            throw new IllegalArgumentException("retryAfterSeconds must be at least 1");
        }
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
