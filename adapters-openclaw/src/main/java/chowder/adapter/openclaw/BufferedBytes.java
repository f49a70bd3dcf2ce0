package chowder.adapter.openclaw;

import static java.util.Objects.requireNonNull;

import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.OrganizationId;
import java.util.HashMap;
import java.util.Map;

/**
 * The memory that gateway answers occupy while Chowder holds them: whole non-streaming answers until they are
 * written to the client, and stream events larger than a read buffer. At most {@code max} bytes at once across all
 * requests, and at most half of that for one organization, so that one tenant's gateway cannot take all of it from
 * the others. A {@link Hold} that would go beyond either bound is refused ({@link ErrorCode#OVERLOADED}) and holds
 * no more than before. Thread-safe.
 */
final class BufferedBytes {
    static final String BUSY = "Chowder is busy – the gateway answers it holds in memory have reached their limit; retry in a moment.";

    private final long max;
    private final long maxPerOrganization;
    // Guarded by this, like every hold's count: a few updates per answer, never contended for long.
    private long total;
    private final Map<OrganizationId, Long> byOrganization = new HashMap<>();

    BufferedBytes(long max) {
        if (max < 2) {
            throw new IllegalArgumentException("max must be at least 2");
        }
        this.max = max;
        this.maxPerOrganization = max / 2;
    }

    /** An empty hold for one answer of this organization's. */
    Hold open(OrganizationId organization) {
        return new Hold(requireNonNull(organization, "organization is null"));
    }

    synchronized long total() {
        return total;
    }

    private synchronized void take(OrganizationId organization, long bytes) {
        long ofOrganization = byOrganization.getOrDefault(organization, 0L);
        if (total + bytes > max || ofOrganization + bytes > maxPerOrganization) {
            throw new ChowderException(ErrorCode.OVERLOADED, BUSY);
        }
        total += bytes;
        byOrganization.put(organization, ofOrganization + bytes);
    }

    private synchronized void give(OrganizationId organization, long bytes) {
        total -= bytes;
        long left = byOrganization.getOrDefault(organization, 0L) - bytes;
        if (left == 0) {
            byOrganization.remove(organization);
        } else {
            byOrganization.put(organization, left);
        }
    }

    /** The bytes one answer holds; closing it gives them all back, and it counts nothing from then on. */
    final class Hold implements AutoCloseable {
        private final OrganizationId organization;
        private long held;
        private boolean closed;

        private Hold(OrganizationId organization) {
            this.organization = organization;
        }

        /** Counts {@code bytes} more, before they are allocated; throws {@link ErrorCode#OVERLOADED} beyond a bound. */
        void grow(long bytes) {
            synchronized (BufferedBytes.this) {
                // A reader racing its own close must not leave bytes counted that nobody will give back.
                if (bytes > 0 && !closed) {
                    take(organization, bytes);
                    held += bytes;
                }
            }
        }

        /** Counts {@code bytes} fewer, once they are no longer referenced. */
        void shrink(long bytes) {
            synchronized (BufferedBytes.this) {
                long released = Math.min(bytes, held);
                if (released > 0) {
                    give(organization, released);
                    held -= released;
                }
            }
        }

        @Override
        public void close() {
            synchronized (BufferedBytes.this) {
                shrink(held);
                closed = true;
            }
        }
    }
}
