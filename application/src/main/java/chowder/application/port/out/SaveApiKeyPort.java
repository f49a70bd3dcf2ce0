package chowder.application.port.out;

import chowder.domain.ApiKey;
import chowder.domain.ApiKeyId;
import java.time.Instant;
import java.util.Map;

/** Stores API keys (only their hash) durably before returning. */
public interface SaveApiKeyPort {
    void insert(ApiKey key);

    /** Deactivates the key for good; false when there is no such key. */
    boolean revoke(ApiKeyId id);

    /** Writes many keys' last use at once (coalesced by the caller); keys that vanished are skipped. */
    void recordLastUsed(Map<ApiKeyId, Instant> lastUsed);
}
