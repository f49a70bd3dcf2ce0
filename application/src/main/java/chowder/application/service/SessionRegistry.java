package chowder.application.service;

import static java.util.Objects.requireNonNull;

import chowder.application.port.out.SessionStorePort;
import chowder.application.port.out.SessionStorePort.Activity;
import chowder.domain.ApiKeyId;
import chowder.domain.InstanceId;
import chowder.domain.Session;
import chowder.domain.SessionId;
import chowder.domain.SessionRecord;
import chowder.domain.TokenUsage;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Records sessions as they are used. A session's existence is written before its first message is
 * forwarded; its counters (turns, tokens, last use) are gathered in memory and written in batches by
 * {@link #flush()} every few seconds, so a crash loses at most those seconds of counters.
 */
public final class SessionRegistry {
    private final SessionStorePort store;
    private final ConcurrentHashMap<ActivityKey, Activity> pending = new ConcurrentHashMap<>();

    private record ActivityKey(InstanceId instanceId, SessionId sessionId, ApiKeyId keyId, Instant hour) {}

    public SessionRegistry(SessionStorePort store) {
        this.store = requireNonNull(store, "store is null");
    }

    /** The session to forward to: its current generation, created (durably) on first use, revived if it was deleted. */
    Session resolve(InstanceId instanceId, SessionId id, Instant now) {
        SessionRecord record = store.find(instanceId, id).orElseGet(() -> store.insertIfAbsent(SessionRecord.firstUse(instanceId, id, now)));
        if (record.deleted()) {
            SessionRecord revived = record.revive(now);
            if (!store.replaceIfGeneration(revived, record.generation())) {
                return resolve(instanceId, id, now);
            }
            record = revived;
        }
        return record.session();
    }

    /** Notes one answered turn; written at the next flush. */
    void recordTurn(InstanceId instanceId, SessionId id, ApiKeyId keyId, TokenUsage usage, Instant now) {
        note(new Activity(instanceId, id, keyId, now.truncatedTo(ChronoUnit.HOURS), 1, usage, now));
    }

    /** Writes the activity noted since the last flush; kept for the next one if the write fails. */
    public void flush() {
        List<Activity> batch = new ArrayList<>();
        for (ActivityKey key : pending.keySet()) {
            Activity activity = pending.remove(key);
            if (activity != null) {
                batch.add(activity);
            }
        }
        if (batch.isEmpty()) {
            return;
        }
        try {
            store.addActivity(batch);
        } catch (RuntimeException e) {
            batch.forEach(this::note);
            throw e;
        }
    }

    private void note(Activity activity) {
        pending.merge(new ActivityKey(activity.instanceId(), activity.sessionId(), activity.keyId(), activity.hour()), activity,
                (a, b) -> new Activity(a.instanceId(), a.sessionId(), a.keyId(), a.hour(), a.turns() + b.turns(), a.usage().plus(b.usage()),
                        a.lastUsedAt().isAfter(b.lastUsedAt()) ? a.lastUsedAt() : b.lastUsedAt()));
    }
}
