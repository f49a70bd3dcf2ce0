package chowder.application.port.out;

import chowder.domain.ApiKeyId;
import chowder.domain.InstanceId;
import chowder.domain.Session;
import chowder.domain.SessionId;
import chowder.domain.SessionRecord;
import chowder.domain.TokenUsage;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The session registry's storage; blocking, never returns null. */
public interface SessionStorePort {
    Optional<SessionRecord> find(InstanceId instanceId, SessionId id);

    /**
     * The session to forward to when it exists and is not deleted. Adapters may answer from a cache, but a
     * reset or delete that returned is seen here on every node.
     */
    Optional<Session> findCurrent(InstanceId instanceId, SessionId id);

    /** Stores a first-used session durably, unless another request stored it first; returns the stored one. */
    SessionRecord insertIfAbsent(SessionRecord session);

    /**
     * Applies a reset or delete (a new generation: only the generation and the deleted flag change, so
     * counters written meanwhile stay) or the revival of a deleted id (same generation: creation time,
     * last use and counters start over), if the generation is still {@code expectedGeneration}
     * (concurrent resets never both win); false otherwise.
     */
    boolean replaceIfGeneration(SessionRecord updated, long expectedGeneration);

    /** Adds coalesced activity: to each session's counters and to the hourly usage of its instance and key. */
    void addActivity(List<Activity> activity);

    /** Sessions not deleted, newest activity first; {@code after} continues a previous page. */
    List<SessionRecord> list(InstanceId instanceId, Optional<String> prefix, Optional<SessionCursor> after, int limit);

    /** Turns and tokens of an instance between two instants (hour granularity), in total and per key. */
    UsageReport usage(InstanceId instanceId, Instant from, Instant to);

    /** Activity of one session by one key in one hour, summed. */
    record Activity(InstanceId instanceId, SessionId sessionId, ApiKeyId keyId, Instant hour, long turns, TokenUsage usage, Instant lastUsedAt) {}

    /** Where a page of sessions ended. */
    record SessionCursor(Instant lastUsedAt, SessionId sessionId) {}

    /** Usage totals. */
    record UsageReport(long turns, TokenUsage usage, List<KeyUsage> byKey) {}

    /** Usage of one key. */
    record KeyUsage(ApiKeyId keyId, long turns, TokenUsage usage) {}
}
