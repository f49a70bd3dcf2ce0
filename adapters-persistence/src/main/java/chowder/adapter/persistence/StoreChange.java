package chowder.adapter.persistence;

import static java.util.Objects.requireNonNull;

import chowder.domain.InstanceId;
import chowder.domain.SessionId;

/**
 * A change that makes cached reads stale on every node: what kind of thing changed and which one
 * ({@code subject}, empty when the whole kind is invalidated).
 */
record StoreChange(Kind kind, String subject) {
    enum Kind {
        /** Some API key changed (revoked); keys are few and change rarely, so all are dropped. */
        API_KEYS,
        /** One instance changed (status, gateway, settings). */
        INSTANCE,
        /** One session moved to a new generation (reset or delete). */
        SESSION,
        /** One organization changed: its name, suspension, model keys or plan. */
        ORGANIZATION,
        /** The limits of one key (subject {@code key:<id>}) or of one instance's sessions ({@code instance:<id>}) changed. */
        LIMITS
    }

    StoreChange {
        requireNonNull(kind, "kind is null");
        requireNonNull(subject, "subject is null");
    }

    static StoreChange apiKeys() {
        return new StoreChange(Kind.API_KEYS, "");
    }

    static StoreChange instance(InstanceId id) {
        return new StoreChange(Kind.INSTANCE, id.value().toString());
    }

    static StoreChange organization(chowder.domain.OrganizationId id) {
        return new StoreChange(Kind.ORGANIZATION, id.value().toString());
    }

    static StoreChange limits(String subject) {
        return new StoreChange(Kind.LIMITS, subject);
    }

    // An instance id (a UUID) never contains a space, so the first space separates it from the session id.
    static StoreChange session(InstanceId instanceId, SessionId sessionId) {
        return new StoreChange(Kind.SESSION, instanceId.value() + " " + sessionId.value());
    }
}
