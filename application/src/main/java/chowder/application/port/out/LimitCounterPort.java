package chowder.application.port.out;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Counters behind budgets and rate limits, shared by every node of a database. A {@code subject} names whose counter it
 * is ({@code org:<id>}, {@code key:<id>}, {@code session:<instance>:<digest>}); {@code version} is the version of the
 * limit's setting, so that a changed limit applies to a counter that already runs.
 */
public interface LimitCounterPort {
    /** Takes one request from a per-minute allowance: empty when taken, else how long until one is free. */
    Optional<Duration> takeRequest(String subject, long perMinute, long version);

    /** Gives back a request taken for nothing (a later limit refused it). */
    void returnRequest(String subject, long perMinute, long version);

    /** Empty while the budget of the window holding {@code now} has tokens left, else how long until the window ends. */
    Optional<Duration> tokensSpent(String subject, TokenWindow window, long budget, long version, Instant now);

    /** Charges tokens to the window holding {@code now}, even beyond the budget (the next request is refused). */
    void spendTokens(String subject, TokenWindow window, long budget, long version, long tokens, Instant now);

    /** Removes counters of windows long past; returns how many. */
    int removeExpired();

    /** A calendar period in UTC. */
    enum TokenWindow {
        DAY,
        MONTH
    }
}
