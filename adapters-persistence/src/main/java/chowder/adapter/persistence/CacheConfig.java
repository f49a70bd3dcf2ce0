package chowder.adapter.persistence;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * The read caches of the forwarding path (API keys by hash, instances by id, sessions' current
 * generation) and how they stay coherent across nodes.
 *
 * @param pollInterval how often a node reads the change log when nothing woke it (PostgreSQL wakes it at once)
 * @param lease how long a node trusts its caches after its last complete read of the change log; after that it
 *     reads the database until it caught up, and a writer never waits longer than this for a node
 * @param maxApiKeys entries kept per cache (least valuable evicted first); 0 turns that cache off
 */
public record CacheConfig(Duration pollInterval, Duration lease, long maxApiKeys, long maxInstances, long maxSessions) {
    /**
     * Writers stop waiting for a node whose last confirmation is older than {@link ChangeFeed#LIVENESS}. A node that
     * keeps reading the log confirms at least every heartbeat plus one poll, so its lease must end before it can be
     * taken for dead: at most the liveness window minus both.
     */
    static final Duration MAX_LEASE = ChangeFeed.LIVENESS.minus(ChangeFeed.HEARTBEAT).minusSeconds(1);

    public static final CacheConfig DEFAULTS = new CacheConfig(Duration.ofMillis(200), Duration.ofSeconds(1), 50_000, 20_000, 200_000);

    public CacheConfig {
        requireNonNull(pollInterval, "pollInterval is null");
        requireNonNull(lease, "lease is null");
        if (pollInterval.isNegative() || pollInterval.isZero() || pollInterval.compareTo(ChangeFeed.HEARTBEAT) > 0) {
            throw new IllegalArgumentException("cache poll interval must be positive and at most " + ChangeFeed.HEARTBEAT.toMillis() + " ms");
        }
        if (lease.compareTo(pollInterval.multipliedBy(2)) < 0) {
            throw new IllegalArgumentException("cache lease must be at least twice the poll interval");
        }
        if (lease.compareTo(MAX_LEASE) > 0) {
            throw new IllegalArgumentException("cache lease must be at most " + MAX_LEASE.toMillis() + " ms");
        }
        if (maxApiKeys < 0 || maxInstances < 0 || maxSessions < 0) {
            throw new IllegalArgumentException("cache sizes must not be negative");
        }
    }
}
