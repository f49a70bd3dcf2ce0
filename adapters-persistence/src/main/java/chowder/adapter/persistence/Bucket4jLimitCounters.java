package chowder.adapter.persistence;

import static java.util.Objects.requireNonNull;

import chowder.application.port.out.LimitCounterPort;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.TokensInheritanceStrategy;
import io.github.bucket4j.distributed.BucketProxy;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.jdbc.PrimaryKeyMapper;
import io.github.bucket4j.distributed.proxy.ExpiredEntriesCleaner;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.postgresql.Bucket4jPostgreSQL;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;

/**
 * Budgets and rate limits on Bucket4j buckets stored in the database ({@code limit_counters}), so every node sharing
 * the database counts against the same buckets; each take or charge is one short transaction that locks its bucket's
 * row ("select for update"). PostgreSQL through Bucket4j's own integration, H2 through {@link H2LimitCounters}.
 *
 * <ul>
 *   <li>A request rate is a bucket of {@code perMinute} requests refilled greedily over a minute ({@code rpm:<subject>});
 *       a changed rate reaches a bucket that already runs through Bucket4j's implicit configuration replacement (the
 *       setting's version), which keeps what was taken ({@link TokensInheritanceStrategy#ADDITIVE}).
 *   <li>A token budget is a bucket per calendar window ({@code tokens:day:2026-12-05:<subject>}, {@code
 *       tokens:month:2026-12:<subject>}) that counts what was spent: it starts full at a capacity far beyond any budget,
 *       and spent is capacity minus what is left. A new window is a new bucket, so budgets renew exactly at midnight
 *       UTC and on the first of the month; the budget is compared when asked, so raising or lowering it holds at once
 *       and exactly (Bucket4j's replacement would keep a lowered budget's unspent tokens). A model call's reservation is
 *       spent like any tokens and settled in the window it was made in: the difference is spent, or added back.
 * </ul>
 *
 * <p>Every counter carries an expiry (a rate's a day after it last refilled to full, so a day after its subject's last
 * request; a window's a day after the window ends), and {@link #removeExpired()} removes those past it: counters of
 * subjects that went idle, such as the sessions of a day, go as well.
 */
final class Bucket4jLimitCounters implements LimitCounterPort {
    // A window's bucket is kept a day past its end (for Retry-After near midnight), a rate's a day past its last use.
    private static final ExpirationAfterWriteStrategy EXPIRATION = ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(
            Duration.ofDays(1));
    private static final int EXPIRED_PER_TRANSACTION = 1000;
    /**
     * Beyond any budget ({@code UsageLimits.MAX_VALUE}), so a window's counter never runs dry, and below a day's
     * nanoseconds, Bucket4j's highest refill rate (one token per nanosecond) for a day's window.
     */
    private static final long SPENDABLE = 4 * chowder.domain.UsageLimits.MAX_VALUE;

    /** Enough stripes that organizations rarely wait for one another's reservations. */
    private static final int RESERVATION_LOCKS = 256;

    private final ProxyManager<String> buckets;
    private final ExpiredEntriesCleaner cleaner;
    private final Lock[] reservations = new Lock[RESERVATION_LOCKS];

    private Bucket4jLimitCounters(ProxyManager<String> buckets, ExpiredEntriesCleaner cleaner) {
        this.buckets = buckets;
        this.cleaner = cleaner;
        // ReentrantLock, not synchronized: a virtual thread waiting for it does not hold its carrier.
        Arrays.setAll(reservations, i -> new ReentrantLock());
    }

    static Bucket4jLimitCounters on(Database database, DataSource dataSource) {
        requireNonNull(dataSource, "dataSource is null");
        if (database == Database.POSTGRESQL) {
            var manager = Bucket4jPostgreSQL.selectForUpdateBasedBuilder(dataSource)
                    .primaryKeyMapper(PrimaryKeyMapper.STRING)
                    .table("limit_counters")
                    .idColumn("id")
                    .stateColumn("state")
                    .expiresAtColumn("expires_at")
                    .expirationAfterWrite(EXPIRATION)
                    .build();
            return new Bucket4jLimitCounters(manager, manager);
        }
        H2LimitCounters manager = new H2LimitCounters(dataSource, EXPIRATION);
        return new Bucket4jLimitCounters(manager, manager);
    }

    @Override
    public Optional<Duration> takeRequest(String subject, long perMinute, long version) {
        var probe = rate(subject, perMinute, version).tryConsumeAndReturnRemaining(1);
        return probe.isConsumed() ? Optional.empty() : Optional.of(Duration.ofNanos(probe.getNanosToWaitForRefill()));
    }

    @Override
    public void returnRequest(String subject, long perMinute, long version) {
        rate(subject, perMinute, version).addTokens(1);
    }

    @Override
    public Optional<Duration> tokensSpent(String subject, TokenWindow window, long budget, Instant now) {
        long spent = SPENDABLE - spending(subject, window, now).getAvailableTokens();
        return spent < budget ? Optional.empty() : Optional.of(Duration.between(now, end(window, now)));
    }

    @Override
    public void spendTokens(String subject, TokenWindow window, long tokens, Instant now) {
        spending(subject, window, now).consumeIgnoringRateLimits(tokens);
    }

    @Override
    public Optional<Duration> reserveTokens(String subject, TokenWindow window, long budget, long tokens, Instant now) {
        // Bucket4j has no "consume if less than this was consumed": the check and the count are two transactions, made
        // one step for this node's callers by a lock per window's counter.
        Lock lock = reservations[Math.floorMod(windowName(window, now).hashCode() * 31 + subject.hashCode(), reservations.length)];
        lock.lock();
        try {
            Optional<Duration> spent = tokensSpent(subject, window, budget, now);
            if (spent.isEmpty() && tokens > 0) {
                spendTokens(subject, window, tokens, now);
            }
            return spent;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void settleTokens(String subject, TokenWindow window, long reserved, long actual, Instant reservedAt) {
        if (actual > reserved) {
            spendTokens(subject, window, actual - reserved, reservedAt);
        } else if (actual < reserved) {
            // Bucket4j never fills a bucket past its capacity: what is given back never makes "spent" negative.
            spending(subject, window, reservedAt).addTokens(reserved - actual);
        }
    }

    @Override
    public int removeExpired() {
        int removed = 0;
        int batch;
        do {
            batch = cleaner.removeExpired(EXPIRED_PER_TRANSACTION);
            removed += batch;
        } while (batch == EXPIRED_PER_TRANSACTION);
        return removed;
    }

    private BucketProxy rate(String subject, long perMinute, long version) {
        BucketConfiguration configuration = BucketConfiguration.builder()
                .addLimit(limit -> limit.capacity(perMinute).refillGreedy(perMinute, Duration.ofMinutes(1)))
                .build();
        return buckets.builder()
                .withImplicitConfigurationReplacement(version, TokensInheritanceStrategy.ADDITIVE)
                .build("rpm:" + subject, () -> configuration);
    }

    private BucketProxy spending(String subject, TokenWindow window, Instant now) {
        Instant start = start(window, now);
        Instant end = end(window, now);
        // Refilled once per window length: never within the window, whose bucket is replaced by the next window's.
        BucketConfiguration configuration = BucketConfiguration.builder()
                .addLimit(limit -> limit.capacity(SPENDABLE).refillIntervally(SPENDABLE, Duration.between(start, end)))
                .build();
        return buckets.builder().build("tokens:" + windowName(window, now) + ":" + subject, () -> configuration);
    }

    private static String windowName(TokenWindow window, Instant now) {
        return switch (window) {
            case DAY -> "day:" + LocalDate.ofInstant(now, ZoneOffset.UTC);
            case MONTH -> "month:" + YearMonth.from(now.atZone(ZoneOffset.UTC));
        };
    }

    private static Instant start(TokenWindow window, Instant now) {
        LocalDate day = LocalDate.ofInstant(now, ZoneOffset.UTC);
        return switch (window) {
            case DAY -> day.atStartOfDay(ZoneOffset.UTC).toInstant();
            case MONTH -> day.withDayOfMonth(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        };
    }

    private static Instant end(TokenWindow window, Instant now) {
        LocalDate day = LocalDate.ofInstant(now, ZoneOffset.UTC);
        return switch (window) {
            case DAY -> day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
            case MONTH -> day.withDayOfMonth(1).plusMonths(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        };
    }
}
