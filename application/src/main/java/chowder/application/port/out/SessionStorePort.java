package chowder.application.port.out;

import static java.util.Objects.requireNonNull;

import chowder.application.port.UsageReport;
import chowder.domain.ApiKeyId;
import chowder.domain.InstanceId;
import chowder.domain.KeyScope;
import chowder.domain.Session;
import chowder.domain.SessionId;
import chowder.domain.SessionRecord;
import chowder.domain.TokenUsage;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

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

    /**
     * Sessions not deleted that the selection matches, newest activity first, at most {@code limit}, in one
     * indexed query (none for an empty selection); {@code after} continues a previous page.
     */
    List<SessionRecord> list(InstanceId instanceId, SessionSelection selection, Optional<SessionCursor> after, int limit);

    /** Turns and tokens of an instance between two instants (hour granularity), in total and per key. */
    UsageReport usage(InstanceId instanceId, Instant from, Instant to);

    /** Activity of one session by one key in one hour, summed. */
    record Activity(InstanceId instanceId, SessionId sessionId, ApiKeyId keyId, Instant hour, long turns, TokenUsage usage, Instant lastUsedAt) {}

    /**
     * The sessions a listing returns: those whose id starts with {@code prefix} (when present; {@code ""} is
     * every session) and those whose id is one of {@code ids}. With neither, none.
     */
    record SessionSelection(Optional<String> prefix, Set<SessionId> ids) {
        public SessionSelection {
            requireNonNull(prefix, "prefix is null");
            ids = Set.copyOf(ids);
        }

        /**
         * The sessions a listing with an optional {@code prefix} shows a key: all whose id starts with it, or,
         * for a key bound to sessions, only those of them the binding allows, so the store's query applies both.
         */
        public static SessionSelection forListing(Optional<String> prefix, KeyScope scope) {
            String wanted = prefix.orElse("");
            if (!scope.sessionBound()) {
                return new SessionSelection(Optional.of(wanted), Set.of());
            }
            // Ids starting with both prefixes start with the longer one, if it extends the other; else there are none.
            Optional<String> both = scope.sessionPrefix().flatMap(bound -> bound.startsWith(wanted) ? Optional.of(bound)
                    : wanted.startsWith(bound) ? Optional.of(wanted) : Optional.empty());
            // Exact ids the prefix already covers are left out, so no session is selected twice.
            Set<SessionId> ids = scope.sessionIds().stream()
                    .filter(id -> id.value().startsWith(wanted))
                    .filter(id -> both.map(common -> !id.value().startsWith(common)).orElse(true))
                    .collect(Collectors.toUnmodifiableSet());
            return new SessionSelection(both, ids);
        }

        public boolean isEmpty() {
            return prefix.isEmpty() && ids.isEmpty();
        }

        public boolean matches(SessionId id) {
            return prefix.map(value -> id.value().startsWith(value)).orElse(false) || ids.contains(id);
        }
    }

    /** Where a page of sessions ended. */
    record SessionCursor(Instant lastUsedAt, SessionId sessionId) {}


}
