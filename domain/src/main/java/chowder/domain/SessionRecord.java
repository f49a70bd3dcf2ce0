package chowder.domain;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * What Chowder remembers of a session: its exact id, its generation (bumped by every reset and
 * delete, so the gateway sees a new, empty session key), when it was created and last used, and its
 * turns and tokens. A deleted session is hidden until its id is used again, and then starts empty.
 */
public record SessionRecord(
        InstanceId instanceId,
        SessionId id,
        long generation,
        boolean deleted,
        Instant createdAt,
        Instant lastUsedAt,
        long turns,
        TokenUsage usage) {

    public SessionRecord {
        requireNonNull(instanceId, "instanceId is null");
        requireNonNull(id, "id is null");
        requireNonNull(createdAt, "createdAt is null");
        requireNonNull(lastUsedAt, "lastUsedAt is null");
        requireNonNull(usage, "usage is null");
        if (generation < 0 || turns < 0) {
            throw new IllegalArgumentException("generation and turns are never negative");
        }
    }

    /** A session on its first use. */
    public static SessionRecord firstUse(InstanceId instanceId, SessionId id, Instant now) {
        return new SessionRecord(instanceId, id, 0, false, now, now, 0, TokenUsage.NONE);
    }

    public Session session() {
        return new Session(instanceId, id, generation);
    }

    /** The next message starts from an empty history; the counters keep what was used. */
    public SessionRecord reset() {
        return new SessionRecord(instanceId, id, generation + 1, false, createdAt, lastUsedAt, turns, usage);
    }

    /** Hidden, and a later use of the same id starts empty. */
    public SessionRecord delete() {
        return new SessionRecord(instanceId, id, generation + 1, true, createdAt, lastUsedAt, turns, usage);
    }

    /** A deleted id used again: a new session under the already-bumped generation. */
    public SessionRecord revive(Instant now) {
        return new SessionRecord(instanceId, id, generation, false, now, now, 0, TokenUsage.NONE);
    }
}
