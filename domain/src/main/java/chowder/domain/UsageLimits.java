package chowder.domain;

import static java.util.Objects.requireNonNull;

import java.util.OptionalLong;

/**
 * Budgets and a rate limit for one organization, key or session: model tokens per calendar day and per calendar month
 * (UTC), and requests per minute. An empty value is no limit.
 */
public record UsageLimits(OptionalLong tokensPerDay, OptionalLong tokensPerMonth, OptionalLong requestsPerMinute) {
    /** Large enough for any real budget, small enough that sums of a few never overflow. */
    public static final long MAX_VALUE = 10_000_000_000_000L;
    /**
     * The highest request rate: a minute's allowance is refilled at most one request per nanosecond (Bucket4j's finest
     * refill), which 6 × 10^10 a minute would pass; a billion a minute is still far beyond any real client.
     */
    public static final long MAX_REQUESTS_PER_MINUTE = 1_000_000_000L;
    public static final UsageLimits NONE = new UsageLimits(OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty());

    public UsageLimits {
        requireNonNull(tokensPerDay, "tokensPerDay is null");
        requireNonNull(tokensPerMonth, "tokensPerMonth is null");
        requireNonNull(requestsPerMinute, "requestsPerMinute is null");
        check("tokens_per_day", tokensPerDay, MAX_VALUE);
        check("tokens_per_month", tokensPerMonth, MAX_VALUE);
        check("requests_per_minute", requestsPerMinute, MAX_REQUESTS_PER_MINUTE);
    }

    public boolean isEmpty() {
        return tokensPerDay.isEmpty() && tokensPerMonth.isEmpty() && requestsPerMinute.isEmpty();
    }

    public boolean limitsTokens() {
        return tokensPerDay.isPresent() || tokensPerMonth.isPresent();
    }

    private static void check(String field, OptionalLong value, long max) {
        if (value.isPresent() && (value.getAsLong() < 1 || value.getAsLong() > max)) {
            throw ChowderException.validationFailed(field + " must be a whole number from 1 to " + max + " (or null for no limit).");
        }
    }
}
