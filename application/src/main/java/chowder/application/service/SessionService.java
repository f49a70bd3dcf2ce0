package chowder.application.service;

import static java.util.Objects.requireNonNull;

import chowder.application.port.UsageReport;
import chowder.application.port.in.ManageSessionsUseCase;
import chowder.application.port.in.UsageWindow;
import chowder.application.port.out.GatewaySessionsPort;
import chowder.application.port.out.LoadInstancePort;
import chowder.application.port.out.SessionStorePort.SessionCursor;
import chowder.application.port.out.SessionStorePort.SessionSelection;
import chowder.application.port.out.SessionStorePort;
import chowder.domain.Caller;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.Instance;
import chowder.domain.InstanceId;
import chowder.domain.Permission;
import chowder.domain.SessionId;
import chowder.domain.SessionRecord;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Lists, shows, resets and deletes sessions, and reports usage. */
public final class SessionService implements ManageSessionsUseCase {
    private static final Logger log = Logger.getLogger(SessionService.class.getName());

    private final LoadInstancePort instances;
    private final SessionStorePort store;
    private final GatewaySessionsPort gatewaySessions;
    private final SessionRegistry registry;
    private final Clock clock;

    /** On the system clock. */
    public SessionService(LoadInstancePort instances, SessionStorePort store, GatewaySessionsPort gatewaySessions, SessionRegistry registry) {
        this(instances, store, gatewaySessions, registry, Clock.systemUTC());
    }

    /** {@code clock} ends a usage window that names no end. */
    public SessionService(LoadInstancePort instances, SessionStorePort store, GatewaySessionsPort gatewaySessions, SessionRegistry registry,
            Clock clock) {
        this.instances = requireNonNull(instances, "instances is null");
        this.store = requireNonNull(store, "store is null");
        this.gatewaySessions = requireNonNull(gatewaySessions, "gatewaySessions is null");
        this.registry = requireNonNull(registry, "registry is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    @Override
    public SessionPage list(Caller caller, InstanceId instanceId, Optional<String> prefix, Optional<String> after, int limit) {
        VisibleInstances.find(instances, caller, instanceId, Permission.READ);
        if (limit < 1 || limit > MAX_PAGE_SIZE) {
            throw ChowderException.invalidRequest("limit must be 1 to " + MAX_PAGE_SIZE + ".");
        }
        registry.flushBeforeRead();
        Optional<SessionCursor> cursor = after.map(SessionService::decodeCursor);
        // A key bound to sessions sees only its own: the binding is part of the store's one query, so a listing
        // costs one query per page however many sessions the instance has and the key does not own.
        List<SessionRecord> found = store.list(instanceId, SessionSelection.forListing(prefix, caller.scope()), cursor, limit + 1);
        boolean more = found.size() > limit;
        List<SessionRecord> page = more ? found.subList(0, limit) : found;
        Optional<String> next = more ? Optional.of(encodeCursor(new SessionCursor(page.getLast().lastUsedAt(), page.getLast().id())))
                : Optional.empty();
        return new SessionPage(page, next);
    }

    @Override
    public SessionRecord get(Caller caller, InstanceId instanceId, SessionId sessionId) {
        VisibleInstances.find(instances, caller, instanceId, Permission.READ);
        caller.requireSession(sessionId);
        registry.flushBeforeRead();
        return existing(instanceId, sessionId);
    }

    @Override
    public SessionRecord reset(Caller caller, InstanceId instanceId, SessionId sessionId) {
        VisibleInstances.find(instances, caller, instanceId, Permission.INTERACT);
        caller.requireSession(sessionId);
        for (int attempt = 0; attempt < 5; attempt++) {
            SessionRecord current = existing(instanceId, sessionId);
            SessionRecord reset = current.reset();
            if (store.replaceIfGeneration(reset, current.generation())) {
                return reset;
            }
        }
        throw new IllegalStateException("session kept changing concurrently");
    }

    @Override
    public void delete(Caller caller, InstanceId instanceId, SessionId sessionId) {
        Instance instance = VisibleInstances.find(instances, caller, instanceId, Permission.INTERACT);
        caller.requireSession(sessionId);
        for (int attempt = 0; attempt < 5; attempt++) {
            SessionRecord current = existing(instanceId, sessionId);
            if (store.replaceIfGeneration(current.delete(), current.generation())) {
                deleteOnGateway(instance, current);
                return;
            }
        }
        throw new IllegalStateException("session kept changing concurrently");
    }

    @Override
    public UsageReport usage(Caller caller, InstanceId instanceId, Instant from, Instant to) {
        readableUsage(caller, instanceId, from, to);
        registry.flushBeforeRead();
        return store.usage(instanceId, from, to);
    }

    @Override
    public List<DayUsage> usageByDay(Caller caller, InstanceId instanceId, Instant from, Instant to) {
        UsageWindow window = readableUsage(caller, instanceId, from, to);
        if (window.dayCount() > MAX_USAGE_DAYS) {
            throw ChowderException.invalidRequest("interval=day covers at most " + MAX_USAGE_DAYS + " days; this window touches "
                    + window.dayCount() + " (UTC days): ask for a shorter one.");
        }
        registry.flushBeforeRead();
        // One window query per day: portable across H2 and PostgreSQL, and bounded by MAX_USAGE_DAYS.
        return window.days().stream().map(day -> new DayUsage(day, store.usage(instanceId, day.from(), day.to()))).toList();
    }

    /** The window asked for, once the caller may read the instance's usage. */
    private UsageWindow readableUsage(Caller caller, InstanceId instanceId, Instant from, Instant to) {
        VisibleInstances.find(instances, caller, instanceId, Permission.READ);
        if (caller.scope().sessionBound()) {
            throw new ChowderException(ErrorCode.PERMISSION_DENIED, "A key bound to sessions cannot read the instance's usage.");
        }
        return new UsageWindow(from, to).requireNotEmpty();
    }

    @Override
    public UsageWindow usageWindow(Optional<Instant> from, Optional<Instant> to) {
        return UsageWindow.requested(from, to, clock);
    }

    /** Best effort: the new generation already isolates the id; this frees the gateway's copy. */
    private void deleteOnGateway(Instance instance, SessionRecord deleted) {
        try {
            gatewaySessions.delete(instance, deleted.session().key());
        } catch (RuntimeException e) {
            log.log(Level.WARNING, "Could not delete a session's history on the gateway of instance " + instance.id()
                    + "; it stays on the gateway's disk: " + e.getMessage());
        }
    }

    private SessionRecord existing(InstanceId instanceId, SessionId sessionId) {
        return store.find(instanceId, sessionId).filter(session -> !session.deleted())
                .orElseThrow(() -> new ChowderException(ErrorCode.SESSION_NOT_FOUND, "Session not found."));
    }

    static String encodeCursor(SessionCursor cursor) {
        String text = cursor.lastUsedAt().toEpochMilli() + "\n" + cursor.sessionId().value();
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static SessionCursor decodeCursor(String encoded) {
        try {
            String text = new String(Base64.getUrlDecoder().decode(encoded), StandardCharsets.UTF_8);
            int newline = text.indexOf('\n');
            return new SessionCursor(Instant.ofEpochMilli(Long.parseLong(text.substring(0, newline))), SessionId.of(text.substring(newline + 1)));
        } catch (RuntimeException e) {
            throw ChowderException.invalidRequest("after must be a cursor from a previous page (next_cursor).");
        }
    }
}
