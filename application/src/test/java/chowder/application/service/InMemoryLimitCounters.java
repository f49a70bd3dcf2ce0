package chowder.application.service;

import chowder.application.port.out.LimitCounterPort;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A fake of the counters, for the rules of the limiter (the real, shared counters are tested in the persistence
 * adapter): a request allowance never refills within a test, and a token window is the UTC day or month of {@code now}.
 */
public final class InMemoryLimitCounters implements LimitCounterPort {
    final Map<String, Long> requests = new ConcurrentHashMap<>();
    final Map<String, Long> tokens = new ConcurrentHashMap<>();

    @Override
    public synchronized Optional<Duration> takeRequest(String subject, long perMinute, long version) {
        long taken = requests.getOrDefault(subject, 0L);
        if (taken >= perMinute) {
            // As a bucket refilled greedily: one request comes back every minute / perMinute.
            return Optional.of(Duration.ofMinutes(1).dividedBy(perMinute));
        }
        requests.put(subject, taken + 1);
        return Optional.empty();
    }

    @Override
    public synchronized void returnRequest(String subject, long perMinute, long version) {
        requests.merge(subject, -1L, Long::sum);
    }

    @Override
    public synchronized Optional<Duration> tokensSpent(String subject, TokenWindow window, long budget, Instant now) {
        if (tokens.getOrDefault(key(subject, window, now), 0L) < budget) {
            return Optional.empty();
        }
        LocalDate day = LocalDate.ofInstant(now, ZoneOffset.UTC);
        LocalDate next = window == TokenWindow.DAY ? day.plusDays(1) : day.withDayOfMonth(1).plusMonths(1);
        return Optional.of(Duration.between(now, next.atStartOfDay(ZoneOffset.UTC).toInstant()));
    }

    @Override
    public synchronized void spendTokens(String subject, TokenWindow window, long spent, Instant now) {
        tokens.merge(key(subject, window, now), spent, Long::sum);
    }

    @Override
    public synchronized Optional<Duration> reserveTokens(String subject, TokenWindow window, long budget, long reserved, Instant now) {
        Optional<Duration> spent = tokensSpent(subject, window, budget, now);
        if (spent.isEmpty()) {
            spendTokens(subject, window, reserved, now);
        }
        return spent;
    }

    @Override
    public synchronized void settleTokens(String subject, TokenWindow window, long reserved, long actual, Instant reservedAt) {
        // What is given back never takes a counter below nothing spent.
        tokens.compute(key(subject, window, reservedAt), (unused, held) -> Math.max(0, (held == null ? 0 : held) + actual - reserved));
    }

    @Override
    public int removeExpired() {
        return 0;
    }

    long spent(String subjectPrefix) {
        return tokens.entrySet().stream().filter(entry -> entry.getKey().contains(subjectPrefix)).mapToLong(Map.Entry::getValue).sum();
    }

    private static String key(String subject, TokenWindow window, Instant now) {
        LocalDate day = LocalDate.ofInstant(now, ZoneOffset.UTC);
        return (window == TokenWindow.DAY ? day.toString() : day.withDayOfMonth(1).toString()) + ":" + window + ":" + subject;
    }
}
