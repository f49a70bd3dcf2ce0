package chowder.application.port.in;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
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
}
