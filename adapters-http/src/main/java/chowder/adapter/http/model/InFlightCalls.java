package chowder.adapter.http.model;

import chowder.domain.InstanceId;
import chowder.domain.OrganizationId;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The model calls running at once, per instance and per organization, each up to its bound. A call over a bound is
 * refused at once rather than queued: a queue would hold its body in memory all the same, and the agent's client
 * retries a 429 by itself. The bounds also bound what one gateway can make Chowder hold (its calls' bodies) and how far
 * calls admitted together can overrun a budget before one ends.
 */
final class InFlightCalls {
    private final int perInstance;
    private final int perOrganization;
    // Entries go when their count returns to zero, so idle instances cost nothing.
    private final Map<InstanceId, Integer> instances = new ConcurrentHashMap<>();
    private final Map<OrganizationId, Integer> organizations = new ConcurrentHashMap<>();

    InFlightCalls(int perInstance, int perOrganization) {
        this.perInstance = perInstance;
        this.perOrganization = perOrganization;
    }

    /** One more call of this instance: its slot, to close once when the call ended; throws {@link ModelCallRefused} (429) when full. */
    Slot enter(InstanceId instance, OrganizationId organization) {
        if (!take(instances, instance, perInstance)) {
            throw new ModelCallRefused(Refusal.busy("Too many model calls at once: an instance may have " + perInstance
                    + " running; retry when one has ended."));
        }
        if (!take(organizations, organization, perOrganization)) {
            give(instances, instance);
            throw new ModelCallRefused(Refusal.busy("Too many model calls at once: an organization may have " + perOrganization
                    + " running across its instances; retry when one has ended."));
        }
        return new Slot(() -> {
            give(instances, instance);
            give(organizations, organization);
        });
    }

    private static <K> boolean take(Map<K, Integer> counts, K key, int bound) {
        boolean[] taken = {false};
        counts.compute(key, (unused, count) -> {
            int running = count == null ? 0 : count;
            if (running >= bound) {
                return count;
            }
            taken[0] = true;
            return running + 1;
        });
        return taken[0];
    }

    private static <K> void give(Map<K, Integer> counts, K key) {
        counts.computeIfPresent(key, (unused, count) -> count <= 1 ? null : count - 1);
    }

    /** A call's place among those running; closing it twice frees it once. */
    static final class Slot implements AutoCloseable {
        private final Runnable free;
        private final AtomicBoolean closed = new AtomicBoolean();

        private Slot(Runnable free) {
            this.free = free;
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                free.run();
            }
        }
    }
}
