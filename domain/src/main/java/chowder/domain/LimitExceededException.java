package chowder.domain;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/** A budget or rate limit is spent: 429, with how long until it is not ({@code Retry-After}). */
public final class LimitExceededException extends ChowderException {
    private final Duration retryAfter;

    public LimitExceededException(String message, Duration retryAfter) {
        super(ErrorCode.LIMIT_EXCEEDED, message);
        this.retryAfter = requireNonNull(retryAfter, "retryAfter is null");
    }

    /** At least one second: HTTP's {@code Retry-After} counts whole seconds, and zero would invite a busy retry. */
    public long retryAfterSeconds() {
        return Math.max(1, (retryAfter.toMillis() + 999) / 1000);
    }
}
