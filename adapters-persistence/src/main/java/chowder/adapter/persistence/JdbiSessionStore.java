package chowder.adapter.persistence;

import static java.util.Objects.requireNonNull;

import chowder.application.port.KeyUsage;
import chowder.application.port.UsageReport;
import chowder.application.port.out.SessionStorePort;
import chowder.domain.ApiKeyId;
import chowder.domain.InstanceId;
import chowder.domain.Session;
import chowder.domain.SessionId;
import chowder.domain.SessionRecord;
import chowder.domain.TokenUsage;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;

/**
 * The session registry in the database. The current generation of live sessions — read on every forwarded
 * request — is cached; resets and deletes drop it on every node before they return.
 */
final class JdbiSessionStore implements SessionStorePort {
    private static final Instant END_OF_TIME = Instant.parse("9999-12-31T00:00:00Z");

    private final Jdbi jdbi;
    private final ChangeFeed changes;
    private final CoherentCache<SessionAddress, Session> current;

    private record SessionAddress(InstanceId instanceId, SessionId sessionId) {}

    JdbiSessionStore(Jdbi jdbi, ChangeFeed changes, long cacheSize) {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
        this.changes = requireNonNull(changes, "changes is null");
        // Deleted sessions are never cached, so reviving one (or a first use) needs no invalidation.
        this.current = changes.cache("sessions", StoreChange.Kind.SESSION, cacheSize, subject -> {
            int space = subject.indexOf(' ');
            return new SessionAddress(new InstanceId(UUID.fromString(subject.substring(0, space))), SessionId.of(subject.substring(space + 1)));
        });
    }

    @Override
    public Optional<SessionRecord> find(InstanceId instanceId, SessionId id) {
        return jdbi.withExtension(SessionDao.class, dao -> dao.find(instanceId.value(), id.value())).map(JdbiSessionStore::fromRow);
    }

    @Override
    public Optional<Session> findCurrent(InstanceId instanceId, SessionId id) {
        return current.get(new SessionAddress(instanceId, id),
                address -> find(address.instanceId(), address.sessionId()).filter(found -> !found.deleted()).map(SessionRecord::session));
    }

    @Override
    public SessionRecord insertIfAbsent(SessionRecord session) {
        try {
            jdbi.useExtension(SessionDao.class, dao -> dao.insert(toRow(session)));
            return session;
        } catch (UnableToExecuteStatementException alreadyThere) {
            // Another request (or node) recorded it first: theirs is the session.
            return find(session.instanceId(), session.id()).orElseThrow(() -> alreadyThere);
        }
    }

    @Override
    public boolean replaceIfGeneration(SessionRecord updated, long expectedGeneration) {
        SessionDao.SessionRow row = toRow(updated);
        boolean revival = updated.generation() == expectedGeneration && !updated.deleted();
        boolean written = changes.inTransaction((handle, publish) -> {
            SessionDao dao = handle.attach(SessionDao.class);
            if ((revival ? dao.revive(row, expectedGeneration) : dao.moveGeneration(row, expectedGeneration)) != 1) {
                return false;
            }
            if (!revival) {
                publish.accept(StoreChange.session(updated.instanceId(), updated.id()));
            }
            return true;
        });
        if (!written) {
            // Another reset won: whatever this node holds for the session is older than the database.
            current.invalidate(new SessionAddress(updated.instanceId(), updated.id()));
        }
        return written;
    }

    @Override
    public void addActivity(List<Activity> activity) {
        try {
            addActivityOnce(activity);
        } catch (UnableToExecuteStatementException concurrentHourInsert) {
            // Another writer created one of the hour rows between our UPDATE and INSERT; the whole batch
            // was rolled back, and now every UPDATE finds its row.
            addActivityOnce(activity);
        }
    }

    private void addActivityOnce(List<Activity> activity) {
        jdbi.useTransaction(handle -> {
            SessionDao dao = handle.attach(SessionDao.class);
            for (Activity turn : activity) {
                dao.addToSession(turn.instanceId().value(), turn.sessionId().value(), turn.turns(), turn.usage().inputTokens(),
                        turn.usage().outputTokens(), turn.lastUsedAt());
                if (dao.addToHour(turn.instanceId().value(), turn.keyId().value(), turn.hour(), turn.turns(), turn.usage().inputTokens(),
                        turn.usage().outputTokens()) == 0) {
                    dao.insertHour(turn.instanceId().value(), turn.keyId().value(), turn.hour(), turn.turns(), turn.usage().inputTokens(),
                            turn.usage().outputTokens());
                }
            }
        });
    }

    @Override
    public List<SessionRecord> list(InstanceId instanceId, SessionSelection selection, Optional<SessionCursor> after, int limit) {
        if (selection.isEmpty()) {
            return List.of();
        }
        // No nulls in the query (PostgreSQL cannot type them): no cursor is a cursor after the end of time.
        Instant afterTime = after.map(SessionCursor::lastUsedAt).orElse(END_OF_TIME);
        String afterId = after.map(cursor -> cursor.sessionId().value()).orElse("");
        Optional<String> pattern = selection.prefix().map(prefix -> prefix.replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%");
        String[] ids = selection.ids().stream().map(SessionId::value).sorted().toArray(String[]::new);
        List<SessionDao.SessionRow> rows = jdbi.withExtension(SessionDao.class, dao -> {
            if (ids.length == 0) {
                return dao.page(instanceId.value(), pattern.orElseThrow(), afterTime, afterId, limit);
            }
            return pattern.isEmpty() ? dao.pageOfIds(instanceId.value(), ids, afterTime, afterId, limit)
                    : dao.pageOfPrefixAndIds(instanceId.value(), pattern.get(), ids, afterTime, afterId, limit);
        });
        return rows.stream().map(JdbiSessionStore::fromRow).toList();
    }

    @Override
    public UsageReport usage(InstanceId instanceId, Instant from, Instant to) {
        List<KeyUsage> byKey = jdbi.withExtension(SessionDao.class, dao -> dao.usageByKey(instanceId.value(), from, to)).stream()
                .map(row -> new KeyUsage(new ApiKeyId(row.keyId()), row.turns(), new TokenUsage(row.inputTokens(), row.outputTokens())))
                .toList();
        return new UsageReport(byKey.stream().mapToLong(KeyUsage::turns).sum(),
                byKey.stream().map(KeyUsage::usage).reduce(TokenUsage.NONE, TokenUsage::plus), byKey);
    }

    private static SessionDao.SessionRow toRow(SessionRecord session) {
        return new SessionDao.SessionRow(session.instanceId().value(), session.id().value(), session.generation(), session.deleted(),
                session.createdAt(), session.lastUsedAt(), session.turns(), session.usage().inputTokens(), session.usage().outputTokens());
    }

    private static SessionRecord fromRow(SessionDao.SessionRow row) {
        return new SessionRecord(new InstanceId(row.instanceId()), SessionId.of(row.sessionId()), row.generation(), row.deleted(),
                row.createdAt(), row.lastUsedAt(), row.turns(), new TokenUsage(row.inputTokens(), row.outputTokens()));
    }
}
