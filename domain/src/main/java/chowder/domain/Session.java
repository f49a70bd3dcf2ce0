package chowder.domain;

import static java.util.Objects.requireNonNull;

/** A conversation inside an instance: its own history and context on the instance's gateway. */
public record Session(InstanceId instanceId, SessionId id, long generation) {
    public Session {
        requireNonNull(instanceId, "instanceId is null");
        requireNonNull(id, "id is null");
        if (generation < 0) {
            throw new IllegalArgumentException("generation is negative: " + generation);
        }
    }

    /** A session as first used: generation 0. */
    public static Session of(InstanceId instanceId, SessionId id) {
        return new Session(instanceId, id, 0);
    }

    /** The key under which the gateway keeps this session's history. */
    public SessionKey key() {
        return SessionKey.forSession(id, generation);
    }
}
