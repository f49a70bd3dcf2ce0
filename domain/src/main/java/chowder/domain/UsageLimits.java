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
    public static final UsageLimits NONE = new UsageLimits(OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty());

    public UsageLimits {
        requireNonNull(tokensPerDay, "tokensPerDay is null");
        requireNonNull(tokensPerMonth, "tokensPerMonth is null");
        requireNonNull(requestsPerMinute, "requestsPerMinute is null");
        check("tokens_per_day", tokensPerDay);
        check("tokens_per_month", tokensPerMonth);
        check("requests_per_minute", requestsPerMinute);
    }

    public boolean isEmpty() {
        return tokensPerDay.isEmpty() && tokensPerMonth.isEmpty() && requestsPerMinute.isEmpty();
    }

    public boolean limitsTokens() {
        return tokensPerDay.isPresent() || tokensPerMonth.isPresent();
    }

    private static void check(String field, OptionalLong value) {
        if (value.isPresent() && (value.getAsLong() < 1 || value.getAsLong() > MAX_VALUE)) {
            throw ChowderException.validationFailed(field + " must be a whole number from 1 to " + MAX_VALUE + " (or null for no limit).");
        }
    }
}
