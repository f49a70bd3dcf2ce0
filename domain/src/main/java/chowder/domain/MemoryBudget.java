package chowder.domain;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Memory that requests occupy while Chowder holds them (gateway answers, request bodies): at most {@code max} bytes at
 * once across all requests, and at most a share of that for one organization (half unless said otherwise), so that one
 * tenant cannot take all of it from the others. A {@link Hold} that would go beyond either bound is refused ({@link OverloadedException}, with the
 * budget's own message and retry hint) and holds no more than before. Thread-safe, without a lock shared by requests:
 * every request of every tenant passes here.
 */
public final class MemoryBudget {
    private final long max;
    private final long maxPerOrganization;
    private final String busy;
    private final long retryAfterSeconds;
    private final AtomicLong total = new AtomicLong();
    // Entries stay once made (one per organization that ever held something): removing them would race with adding.
    private final ConcurrentHashMap<OrganizationId, AtomicLong> byOrganization = new ConcurrentHashMap<>();

    /**
     * @param max the bytes all holds may count at once (an organization's may count half)
     * @param busy the message of the refusal, saying what is held
     * @param retryAfterSeconds how long a refused client should wait: how soon what is held usually goes
     */
    public MemoryBudget(long max, String busy, long retryAfterSeconds) {
        this(max, max / 2, busy, retryAfterSeconds);
    }

    /** As {@link #MemoryBudget(long, String, long)}, with {@code maxPerOrganization} bytes for one organization. */
    public MemoryBudget(long max, long maxPerOrganization, String busy, long retryAfterSeconds) {
        if (max < 2 || maxPerOrganization < 1 || maxPerOrganization > max) {
            throw new IllegalArgumentException("max must be at least 2, and an organization's share from 1 to max");
        }
        this.max = max;
        this.maxPerOrganization = maxPerOrganization;
        this.busy = requireNonNull(busy, "busy is null");
        if (retryAfterSeconds < 1) {
            throw new IllegalArgumentException("retryAfterSeconds must be at least 1");
        }
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** A quarter of this JVM's largest heap (1 GiB when it has no bound): the default of a budget, beside the others. */
    public static long quarterOfHeap() {
        long heap = Runtime.getRuntime().maxMemory();
        return heap == Long.MAX_VALUE ? 1L << 30 : heap / 4;
    }

    /** An empty hold for one request of this organization's. */
    public Hold open(OrganizationId organization) {
        return new Hold(byOrganization.computeIfAbsent(requireNonNull(organization, "organization is null"), any -> new AtomicLong()));
    }

    public long total() {
        return total.get();
    }

    /**
     * Counts {@code bytes} more for an organization, or none and refuses. Neither count ever goes beyond its bound, not
     * even for an instant, so {@link #total()} is never above {@code max}. A take refused by the total may, for the
     * instant its organization's count is raised, make a racing take of the same organization's be refused too:
     * refusing is the safe side.
     */
    private void take(AtomicLong ofOrganization, long bytes) {
        if (!addWithin(ofOrganization, bytes, maxPerOrganization)) {
            throw new OverloadedException(busy, retryAfterSeconds);
        }
        if (!addWithin(total, bytes, max)) {
            ofOrganization.addAndGet(-bytes);
            throw new OverloadedException(busy, retryAfterSeconds);
        }
    }

    /** Adds {@code bytes} to {@code counter} unless that would take it beyond {@code bound}: compare-and-set, no lock. */
    private static boolean addWithin(AtomicLong counter, long bytes, long bound) {
        long current;
        do {
            current = counter.get();
            if (bytes > bound - current) {
                return false;
            }
        } while (!counter.compareAndSet(current, current + bytes));
        return true;
    }

    private void give(AtomicLong ofOrganization, long bytes) {
        ofOrganization.addAndGet(-bytes);
        total.addAndGet(-bytes);
    }

    /** The bytes one request holds; closing it gives them all back, and it counts nothing from then on. */
    public final class Hold implements AutoCloseable {
        private final AtomicLong ofOrganization;
        // Guarded by this: a reader and its own close may race, never two requests.
        private long held;
        private boolean closed;

        private Hold(AtomicLong ofOrganization) {
            this.ofOrganization = ofOrganization;
        }

        /** Counts {@code bytes} more, before they are allocated; throws {@link OverloadedException} beyond a bound. */
        public synchronized void grow(long bytes) {
            // A reader racing its own close must not leave bytes counted that nobody will give back.
            if (bytes > 0 && !closed) {
                take(ofOrganization, bytes);
                held += bytes;
            }
        }

        /** Counts {@code bytes} fewer, once they are no longer referenced. */
        public synchronized void shrink(long bytes) {
            long released = Math.min(bytes, held);
            if (released > 0) {
                give(ofOrganization, released);
                held -= released;
            }
        }

        @Override
        public synchronized void close() {
            shrink(held);
            closed = true;
        }
    }
}
