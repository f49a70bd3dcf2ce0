package chowder.application.port.in;

import chowder.application.port.UsageReport;
import chowder.domain.Caller;
import chowder.domain.InstanceId;
import chowder.domain.SessionId;
import chowder.domain.SessionRecord;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The sessions of an instance (an extension of the hosted API): list, inspect, reset, delete, and
 * usage. Scoped keys need {@code read} to look and {@code interact} to reset or delete; a key bound to
 * sessions sees only its own.
 */
public interface ManageSessionsUseCase {
    int MAX_PAGE_SIZE = 1000;
    /** The page size of a listing that names none. */
    int DEFAULT_PAGE_SIZE = 100;
    /**
     * The most days a daily usage series may have: a quarter (92 days, the longest), which covers the console's
     * 14- and 30-day views with room to spare. Each day is one indexed query of the hourly usage, so this bounds
     * what one request costs the database.
     */
    int MAX_USAGE_DAYS = 92;

    /** The usage of one UTC day (cut to the requested window). */
    record DayUsage(UsageWindow day, UsageReport usage) {}

    /** A page of sessions, newest activity first, and the cursor of the next page when there is one. */
    record SessionPage(List<SessionRecord> sessions, Optional<String> nextCursor) {}

    SessionPage list(Caller caller, InstanceId instanceId, Optional<String> prefix, Optional<String> after, int limit);

    /** A page of {@code limit} sessions, or of {@link #DEFAULT_PAGE_SIZE} when the caller names no size. */
    default SessionPage list(Caller caller, InstanceId instanceId, Optional<String> prefix, Optional<String> after, OptionalInt limit) {
        return list(caller, instanceId, prefix, after, limit.orElse(DEFAULT_PAGE_SIZE));
    }

    SessionRecord get(Caller caller, InstanceId instanceId, SessionId sessionId);

    /** The next message of the session starts from an empty history. */
    SessionRecord reset(Caller caller, InstanceId instanceId, SessionId sessionId);

    /** Forgets the session (and asks the gateway to delete its history); the id may be used again and starts empty. */
    void delete(Caller caller, InstanceId instanceId, SessionId sessionId);

    UsageReport usage(Caller caller, InstanceId instanceId, Instant from, Instant to);

    /**
     * The usage of each UTC day {@code [from, to)} touches, oldest first, days without usage included; at most
     * {@link #MAX_USAGE_DAYS} days (an invalid request beyond). Same permissions as {@link #usage}.
     */
    List<DayUsage> usageByDay(Caller caller, InstanceId instanceId, Instant from, Instant to);

    /** The window a usage request covers, its missing ends filled in by this use case's clock and defaults. */
    UsageWindow usageWindow(Optional<Instant> from, Optional<Instant> to);
}
