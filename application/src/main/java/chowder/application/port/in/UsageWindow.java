package chowder.application.port.in;

import static java.util.Objects.requireNonNull;

import chowder.domain.ChowderException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The hours a usage report covers, from {@code from} (inclusive) to {@code to}. */
public record UsageWindow(Instant from, Instant to) {
    /** How far back a report goes when the caller names no start. */
    public static final Duration DEFAULT_LENGTH = Duration.ofDays(30);

    public UsageWindow {
        requireNonNull(from, "from is null");
        requireNonNull(to, "to is null");
    }

    /** The window a caller asked for: up to now unless {@code to} is given, {@link #DEFAULT_LENGTH} back unless {@code from} is. */
    public static UsageWindow requested(Optional<Instant> from, Optional<Instant> to, Clock clock) {
        Instant end = to.orElseGet(clock::instant);
        return new UsageWindow(from.orElse(end.minus(DEFAULT_LENGTH)), end);
    }

    /**
     * This window when it holds at least one instant, else {@code INVALID_REQUEST} "from must be before to." The one home of
     * that rule for every usage report; not in the constructor because a report checks it only after checking that the
     * caller may read the usage.
     */
    public UsageWindow requireNotEmpty() {
        if (!from.isBefore(to)) {
            throw ChowderException.invalidRequest("from must be before to.");
        }
        return this;
    }

    /** How many UTC calendar days the window touches (0 when it is empty); counted without listing them. */
    public long dayCount() {
        if (!from.isBefore(to)) {
            return 0;
        }
        Instant lastDay = to.minusNanos(1).truncatedTo(ChronoUnit.DAYS);
        return ChronoUnit.DAYS.between(from.truncatedTo(ChronoUnit.DAYS), lastDay) + 1;
    }

    /**
     * The UTC calendar days the window touches, oldest first, each cut to the window (so a window that starts or
     * ends mid-day has a shorter first or last day, and the days add up to exactly the window).
     */
    public List<UsageWindow> days() {
        List<UsageWindow> days = new ArrayList<>();
        Instant start = from;
        while (start.isBefore(to)) {
            Instant nextMidnight = start.truncatedTo(ChronoUnit.DAYS).plus(1, ChronoUnit.DAYS);
            Instant end = nextMidnight.isBefore(to) ? nextMidnight : to;
            days.add(new UsageWindow(start, end));
            start = end;
        }
        return days;
    }
}
