package chowder.application.service;

import chowder.application.port.KeyUsage;
import chowder.application.port.UsageReport;
import chowder.application.port.out.GatewaySessionsPort;
import chowder.application.port.out.SessionStorePort;
import chowder.domain.ApiKeyId;
import chowder.domain.Instance;
import chowder.domain.InstanceId;
import chowder.domain.Session;
import chowder.domain.SessionId;
import chowder.domain.SessionKey;
import chowder.domain.SessionRecord;
import chowder.domain.TokenUsage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** A fake session store (and gateway session admin) kept in maps. */
public final class InMemorySessions implements SessionStorePort, GatewaySessionsPort {
    private record Key(InstanceId instanceId, SessionId id) {}

    private final Map<Key, SessionRecord> sessions = new ConcurrentHashMap<>();
    private final List<Activity> activity = new CopyOnWriteArrayList<>();
    public final List<SessionKey> deletedOnGateway = new CopyOnWriteArrayList<>();

    @Override
    public Optional<SessionRecord> find(InstanceId instanceId, SessionId id) {
        return Optional.ofNullable(sessions.get(new Key(instanceId, id)));
    }

    @Override
    public Optional<Session> findCurrent(InstanceId instanceId, SessionId id) {
        return find(instanceId, id).filter(found -> !found.deleted()).map(SessionRecord::session);
    }

    @Override
    public SessionRecord insertIfAbsent(SessionRecord session) {
        return sessions.computeIfAbsent(new Key(session.instanceId(), session.id()), key -> session);
    }

    @Override
    public synchronized boolean replaceIfGeneration(SessionRecord updated, long expectedGeneration) {
        Key key = new Key(updated.instanceId(), updated.id());
        SessionRecord current = sessions.get(key);
        if (current == null || current.generation() != expectedGeneration) {
            return false;
        }
        boolean revival = updated.generation() == expectedGeneration && !updated.deleted();
        sessions.put(key, revival ? updated : new SessionRecord(current.instanceId(), current.id(), updated.generation(), updated.deleted(),
                current.createdAt(), current.lastUsedAt(), current.turns(), current.usage()));
        return true;
    }

    @Override
    public synchronized void addActivity(List<Activity> batch) {
        activity.addAll(batch);
        for (Activity turn : batch) {
            sessions.computeIfPresent(new Key(turn.instanceId(), turn.sessionId()), (key, session) -> new SessionRecord(session.instanceId(),
                    session.id(), session.generation(), session.deleted(), session.createdAt(),
                    turn.lastUsedAt().isAfter(session.lastUsedAt()) ? turn.lastUsedAt() : session.lastUsedAt(),
                    session.turns() + turn.turns(), session.usage().plus(turn.usage())));
        }
    }

    @Override
    public List<SessionRecord> list(InstanceId instanceId, SessionSelection selection, Optional<SessionCursor> after, int limit) {
        return sessions.values().stream()
                .filter(session -> session.instanceId().equals(instanceId) && !session.deleted())
                .filter(session -> selection.matches(session.id()))
                .sorted(Comparator.comparing(SessionRecord::lastUsedAt).reversed().thenComparing(session -> session.id().value()))
                .filter(session -> after.map(cursor -> session.lastUsedAt().isBefore(cursor.lastUsedAt())
                        || session.lastUsedAt().equals(cursor.lastUsedAt()) && session.id().value().compareTo(cursor.sessionId().value()) > 0)
                        .orElse(true))
                .limit(limit)
                .toList();
    }

    @Override
    public UsageReport usage(InstanceId instanceId, Instant from, Instant to) {
        List<Activity> inRange = activity.stream()
                .filter(turn -> turn.instanceId().equals(instanceId) && !turn.hour().isBefore(from) && turn.hour().isBefore(to)).toList();
        Map<ApiKeyId, List<Activity>> byKey = new ConcurrentHashMap<>();
        inRange.forEach(turn -> byKey.computeIfAbsent(turn.keyId(), key -> new ArrayList<>()).add(turn));
        return new UsageReport(inRange.stream().mapToLong(Activity::turns).sum(),
                inRange.stream().map(Activity::usage).reduce(TokenUsage.NONE, TokenUsage::plus),
                byKey.entrySet().stream().map(entry -> new KeyUsage(entry.getKey(), entry.getValue().stream().mapToLong(Activity::turns).sum(),
                        entry.getValue().stream().map(Activity::usage).reduce(TokenUsage.NONE, TokenUsage::plus))).toList());
    }

    @Override
    public void delete(Instance instance, SessionKey key) {
        deletedOnGateway.add(key);
    }
}
