package chowder.domain;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * A budget or rate limit is spent: 429, with how long until it is not ({@code Retry-After}). A spent budget lasts until
 * its day or month ends, so it is not worth a client's retry; a spent rate frees up within a minute.
 */
public final class LimitExceededException extends ChowderException {
    private final Duration retryAfter;
    private final boolean budget;

    public LimitExceededException(String message, Duration retryAfter, boolean budget) {
        super(ErrorCode.LIMIT_EXCEEDED, message);
        this.retryAfter = requireNonNull(retryAfter, "retryAfter is null");
        this.budget = budget;
    }

    /** A token budget (renewed at the next UTC day or month), not a request rate. */
    public boolean budget() {
        return budget;
    }

    /** At least one second: HTTP's {@code Retry-After} counts whole seconds, and zero would invite a busy retry. */
    public long retryAfterSeconds() {
        return Math.max(1, (retryAfter.toMillis() + 999) / 1000);
    }
}
