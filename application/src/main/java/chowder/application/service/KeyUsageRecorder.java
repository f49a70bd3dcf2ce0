package chowder.application.service;

import static java.util.Objects.requireNonNull;

import chowder.application.port.out.SaveApiKeyPort;
import chowder.domain.ApiKeyId;
import java.time.Instant;

/**
 * Coalesces keys' {@code last_used_at}: requests only note the time in memory, and {@link #flush()}
 * (run every few seconds, and at shutdown) writes all keys used since in one batch. A crash loses at
 * most one interval of last-use times, never a request.
 */
public final class KeyUsageRecorder {
    private final SaveApiKeyPort keys;
    private final CoalescingBuffer<ApiKeyId, Instant> pending =
            new CoalescingBuffer<>((earlier, later) -> later.isAfter(earlier) ? later : earlier);

    public KeyUsageRecorder(SaveApiKeyPort keys) {
        this.keys = requireNonNull(keys, "keys is null");
    }

    void used(ApiKeyId key, Instant at) {
        pending.add(key, at);
    }

    /** Writes what was noted since the last flush; kept for the next one if the write fails. */
    public void flush() {
        pending.drainTo(keys::recordLastUsed);
    }
}
