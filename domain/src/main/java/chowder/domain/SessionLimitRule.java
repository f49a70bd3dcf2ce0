package chowder.domain;

import static java.util.Objects.requireNonNull;

/**
 * Limits for every session of an instance whose id starts with {@code sessionPrefix} (empty: every session). Each such
 * session has a budget of its own; the rule does not pool them.
 */
public record SessionLimitRule(String sessionPrefix, UsageLimits limits) {
    public static final int MAX_PREFIX_LENGTH = SessionId.MAX_CODE_POINTS;

    public SessionLimitRule {
        requireNonNull(sessionPrefix, "sessionPrefix is null");
        requireNonNull(limits, "limits is null");
        if (sessionPrefix.codePointCount(0, sessionPrefix.length()) > MAX_PREFIX_LENGTH
                || sessionPrefix.codePoints().anyMatch(Character::isISOControl)) {
            throw ChowderException.validationFailed("session_prefix must be at most " + MAX_PREFIX_LENGTH
                    + " characters without control characters.");
        }
        if (limits.isEmpty()) {
            throw ChowderException.validationFailed("a session limit needs tokens_per_day, tokens_per_month or requests_per_minute.");
        }
    }

    public boolean matches(SessionId session) {
        return session.value().startsWith(sessionPrefix);
    }
}
