package chowder.adapter.persistence;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * A bounded read cache that the {@link ChangeFeed} keeps coherent with writes on every node. It answers
 * only while the feed's lease holds; otherwise reads go to the database. Only found values are kept.
 */
final class CoherentCache<K, V> {
    private final Cache<K, V> entries;
    private final ChangeFeed feed;
    private final boolean enabled;
    // Guards "load, then put" against an invalidation in between: a load that overlapped one is not kept.
    private final ReentrantLock lock = new ReentrantLock();
    private long epoch;

    CoherentCache(ChangeFeed feed, long maxSize) {
        this.feed = requireNonNull(feed, "feed is null");
        this.enabled = maxSize > 0;
        this.entries = Caffeine.newBuilder().maximumSize(Math.max(maxSize, 1)).recordStats().build();
    }

    Optional<V> get(K key, Function<K, Optional<V>> load) {
        if (!enabled || !feed.leaseHeld()) {
            return load.apply(key);
        }
        V cached = entries.getIfPresent(key);
        if (cached != null) {
            return Optional.of(cached);
        }
        long loadedInEpoch = currentEpoch();
        Optional<V> loaded = load.apply(key);
        loaded.ifPresent(value -> putIfNoChangeSince(loadedInEpoch, key, value));
        return loaded;
    }

    void invalidate(K key) {
        lock.lock();
        try {
            epoch++;
            entries.invalidate(key);
        } finally {
            lock.unlock();
        }
    }

    void invalidateAll() {
        lock.lock();
        try {
            epoch++;
            entries.invalidateAll();
        } finally {
            lock.unlock();
        }
    }

    /** Hits, misses and evictions, for metrics. */
    Cache<K, V> entries() {
        return entries;
    }

    private long currentEpoch() {
        lock.lock();
        try {
            return epoch;
        } finally {
            lock.unlock();
        }
    }

    private void putIfNoChangeSince(long loadedInEpoch, K key, V value) {
        lock.lock();
        try {
            if (epoch == loadedInEpoch && feed.leaseHeld()) {
                entries.put(key, value);
            }
        } finally {
            lock.unlock();
        }
    }
}
