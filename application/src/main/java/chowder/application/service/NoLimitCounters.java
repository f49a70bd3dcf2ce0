package chowder.application.service;

import chowder.application.port.out.LimitCounterPort;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** The counters of a limiter without limits: nothing is limited, so asking for a counter is a bug. */
final class NoLimitCounters implements LimitCounterPort {
    @Override
    public Optional<Duration> takeRequest(String subject, long perMinute, long version) {
        throw unexpected();
    }

    @Override
    public void returnRequest(String subject, long perMinute, long version) {
        throw unexpected();
    }

    @Override
    public Optional<Duration> tokensSpent(String subject, TokenWindow window, long budget, Instant now) {
        throw unexpected();
    }

    @Override
    public void spendTokens(String subject, TokenWindow window, long tokens, Instant now) {
        throw unexpected();
    }

    @Override
    public Optional<Duration> reserveTokens(String subject, TokenWindow window, long budget, long tokens, Instant now) {
        throw unexpected();
    }

    @Override
    public void settleTokens(String subject, TokenWindow window, long reserved, long actual, Instant reservedAt) {
        throw unexpected();
    }

    @Override
    public int removeExpired() {
        return 0;
    }

    private IllegalStateException unexpected() {
        return new IllegalStateException("no limit is set, so no counter is used");
    }
}
