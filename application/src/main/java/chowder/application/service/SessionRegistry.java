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
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Records sessions as they are used. A session's existence is written before its first message is
 * forwarded; its counters (turns, tokens, last use) are gathered in memory and written in batches by
 * {@link #flush()} every few seconds, so a crash loses at most those seconds of counters.
 */
public final class SessionRegistry {
    private static final Logger LOG = Logger.getLogger(SessionRegistry.class.getName());
    private final SessionStorePort store;
    private final CoalescingBuffer<ActivityKey, Activity> pending = new CoalescingBuffer<>((a, b) -> new Activity(a.instanceId(),
            a.sessionId(), a.keyId(), a.hour(), a.turns() + b.turns(), a.usage().plus(b.usage()),
            a.lastUsedAt().isAfter(b.lastUsedAt()) ? a.lastUsedAt() : b.lastUsedAt()));

    private record ActivityKey(InstanceId instanceId, SessionId sessionId, ApiKeyId keyId, Instant hour) {}

    public SessionRegistry(SessionStorePort store) {
        this.store = requireNonNull(store, "store is null");
    }

    /** The session to forward to: its current generation, created (durably) on first use, revived if it was deleted. */
    Session resolve(InstanceId instanceId, SessionId id, Instant now) {
        return store.findCurrent(instanceId, id).orElseGet(() -> createOrRevive(instanceId, id, now));
    }

    private Session createOrRevive(InstanceId instanceId, SessionId id, Instant now) {
        SessionRecord record = store.find(instanceId, id).orElseGet(() -> store.insertIfAbsent(SessionRecord.firstUse(instanceId, id, now)));
        if (record.deleted()) {
            SessionRecord revived = record.revive(now);
            if (!store.replaceIfGeneration(revived, record.generation())) {
                return createOrRevive(instanceId, id, now);
            }
            record = revived;
        }
        return record.session();
    }

    /** Notes one answered turn; written at the next flush. */
    void recordTurn(InstanceId instanceId, SessionId id, ApiKeyId keyId, TokenUsage usage, Instant now) {
        Instant hour = now.truncatedTo(ChronoUnit.HOURS);
        pending.add(new ActivityKey(instanceId, id, keyId, hour), new Activity(instanceId, id, keyId, hour, 1, usage, now));
    }

    /** Writes the activity noted since the last flush; kept for the next one if the write fails. */
    public void flush() {
        pending.drainTo(batch -> store.addActivity(List.copyOf(batch.values())));
    }

    /** Before a read: counters noted since the last flush belong in what a reader sees; failing that, the read still answers. */
    void flushBeforeRead() {
        try {
            flush();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Writing session activity before a read failed; it is retried at the next flush", e);
        }
    }
}
