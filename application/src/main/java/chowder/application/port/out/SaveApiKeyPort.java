package chowder.application.port.out;

import chowder.domain.ApiKey;
import chowder.domain.ApiKeyId;
import java.time.Instant;
import java.util.Map;

/** Stores API keys (only their hash) durably before returning. */
public interface SaveApiKeyPort {
    /**
     * Stores the key unless its organization already holds {@code maxPerOrganization} keys, revoked and expired ones
     * included (each is a row until it is deleted). To make room, the oldest keys that are revoked, or expired at the new
     * key's creation, are deleted first. False, storing and deleting nothing, when too few of its keys are revoked or
     * expired to make room.
     */
    boolean insertWithinLimit(ApiKey key, int maxPerOrganization);

    /** Deactivates the key for good; false when there is no such key. */
    boolean revoke(ApiKeyId id);

    /** Writes many keys' last use at once (coalesced by the caller); keys that vanished are skipped. */
    void recordLastUsed(Map<ApiKeyId, Instant> lastUsed);
}
