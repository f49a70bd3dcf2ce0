package chowder.application.port.out;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Counters behind budgets and rate limits, shared by every node of a database. A {@code subject} names whose counter it
 * is ({@code org:<id>}, {@code key:<id>}, {@code session:<instance>:<digest>}). A rate's {@code version} is the version of
 * its setting, so that a changed rate applies to an allowance that already runs; a budget counts what was spent, so a
 * changed budget applies at once, exactly.
 */
public interface LimitCounterPort {
    /** Takes one request from a per-minute allowance: empty when taken, else how long until one is free. */
    Optional<Duration> takeRequest(String subject, long perMinute, long version);

    /** Gives back a request taken for nothing (a later limit refused it). */
    void returnRequest(String subject, long perMinute, long version);

    /** Empty while less than {@code budget} tokens were spent in the window holding {@code now}, else how long until it ends. */
    Optional<Duration> tokensSpent(String subject, TokenWindow window, long budget, Instant now);

    /** Counts tokens spent in the window holding {@code now}, even beyond a budget (the next request is then refused). */
    void spendTokens(String subject, TokenWindow window, long tokens, Instant now);

    /**
     * Counts {@code tokens} as spent in the window holding {@code now} (a reservation, settled later) if less than
     * {@code budget} is spent there, reservations included: empty when reserved, else how long until the window ends.
     * The check and the count are one step for callers of this node (each waits for the one before); callers on two
     * nodes may both pass at once.
     */
    Optional<Duration> reserveTokens(String subject, TokenWindow window, long budget, long tokens, Instant now);

    /**
     * Settles a reservation of {@code reserved} tokens made at {@code reservedAt}: in that same window, counts what
     * {@code actual} adds to it, or gives back what it did not use.
     */
    void settleTokens(String subject, TokenWindow window, long reserved, long actual, Instant reservedAt);

    /** Removes counters of windows long past; returns how many. */
    int removeExpired();

    /** A calendar period in UTC. */
    enum TokenWindow {
        DAY,
        MONTH
    }
}
