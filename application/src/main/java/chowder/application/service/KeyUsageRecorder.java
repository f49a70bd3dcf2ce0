package chowder.application.service;

import static java.util.Objects.requireNonNull;

import chowder.application.port.out.SaveApiKeyPort;
import chowder.domain.ApiKeyId;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Coalesces keys' {@code last_used_at}: requests only note the time in memory, and {@link #flush()}
 * (run every few seconds, and at shutdown) writes all keys used since in one batch. A crash loses at
 * most one interval of last-use times, never a request.
 */
public final class KeyUsageRecorder {
    private final SaveApiKeyPort keys;
    private final ConcurrentHashMap<ApiKeyId, Instant> pending = new ConcurrentHashMap<>();

    public KeyUsageRecorder(SaveApiKeyPort keys) {
        this.keys = requireNonNull(keys, "keys is null");
    }

    void used(ApiKeyId key, Instant at) {
        pending.merge(key, at, (earlier, later) -> later.isAfter(earlier) ? later : earlier);
    }

    /** Writes what was noted since the last flush. */
    public void flush() {
        Map<ApiKeyId, Instant> batch = new HashMap<>();
        for (ApiKeyId key : pending.keySet()) {
            Instant at = pending.remove(key);
            if (at != null) {
                batch.put(key, at);
            }
        }
        if (batch.isEmpty()) {
            return;
        }
        try {
            keys.recordLastUsed(batch);
        } catch (RuntimeException e) {
            // Keep them for the next flush.
            batch.forEach(this::used);
            throw e;
        }
    }
}
