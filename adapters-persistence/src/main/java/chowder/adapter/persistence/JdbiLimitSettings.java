package chowder.adapter.persistence;

import static java.util.Objects.requireNonNull;

import chowder.application.port.out.LimitSettingsPort;
import chowder.domain.ApiKeyId;
import chowder.domain.InstanceId;
import chowder.domain.OrganizationId;
import chowder.domain.OrganizationPlan;
import chowder.domain.SessionLimitRule;
import chowder.domain.SessionLimits;
import chowder.domain.UsageLimits;
import java.time.Clock;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/**
 * Plans and limits, read on every forwarded request that could be limited, so cached per node and kept coherent by the
 * change feed: a changed limit holds on every node once its change returns. What has no row is the default (no limit),
 * and is cached as such.
 */
final class JdbiLimitSettings implements LimitSettingsPort {
    private static final String KEY = "key:";
    private static final String INSTANCE = "instance:";
    // What a change of the other cache's subjects invalidates in one cache: nothing (no key or instance has the nil UUID).
    private static final UUID NOT_CACHED = new UUID(0, 0);

    private final Jdbi jdbi;
    private final ChangeFeed changes;
    private final Clock clock;
    private final CoherentCache<OrganizationId, Versioned<OrganizationPlan>> plans;
    // By the key's and the instance's UUID: read on every turn, and a UUID is no string to build per lookup.
    private final CoherentCache<UUID, Versioned<UsageLimits>> keyLimits;
    private final CoherentCache<UUID, Versioned<SessionLimits>> sessionLimits;

    JdbiLimitSettings(Jdbi jdbi, ChangeFeed changes, Clock clock, long cacheSize) {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
        this.changes = requireNonNull(changes, "changes is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.plans = changes.cache("organization_plans", StoreChange.Kind.ORGANIZATION, cacheSize,
                subject -> new OrganizationId(UUID.fromString(subject)));
        this.keyLimits = changes.cache("key_limits", StoreChange.Kind.LIMITS, cacheSize, subject -> idIn(subject, KEY));
        this.sessionLimits = changes.cache("session_limits", StoreChange.Kind.LIMITS, cacheSize, subject -> idIn(subject, INSTANCE));
    }

    @Override
    public Versioned<OrganizationPlan> planOf(OrganizationId organization) {
        return plans.get(organization, id -> Optional.of(jdbi.withExtension(LimitSettingsDao.class, dao -> dao.plan(id.value()))
                .map(row -> new Versioned<>(new OrganizationPlan(row.subscriptionTier(), optionalInt(row.instanceLimit()),
                        limits(row.tokensPerDay(), row.tokensPerMonth(), row.requestsPerMinute()),
                        Optional.ofNullable(row.operatorModelKeys())), row.version()))
                .orElse(new Versioned<>(OrganizationPlan.DEFAULT, 0)))).orElseThrow();
    }

    @Override
    public void savePlan(OrganizationId organization, OrganizationPlan plan) {
        UsageLimits limits = plan.limits();
        LimitSettingsDao.PlanRow row = new LimitSettingsDao.PlanRow(organization.value(), plan.tier(),
                plan.instanceLimit().isPresent() ? plan.instanceLimit().getAsInt() : null, plan.operatorModelKeys().orElse(null),
                nullable(limits.tokensPerDay()), nullable(limits.tokensPerMonth()), nullable(limits.requestsPerMinute()), nextVersion());
        changes.inTransaction((handle, publish) -> {
            // Two first writes at once both found no row and both inserted: the second failed on the primary key.
            handle.attach(OrganizationDao.class).lock(organization.value());
            LimitSettingsDao dao = handle.attach(LimitSettingsDao.class);
            if (dao.updatePlan(row) == 0) {
                dao.insertPlan(row);
            }
            publish.accept(StoreChange.organization(organization));
            return null;
        });
    }

    @Override
    public Versioned<UsageLimits> limitsOfKey(ApiKeyId key) {
        return keyLimits.get(key.value(), unused -> Optional.of(jdbi.withExtension(LimitSettingsDao.class, dao -> dao.keyLimits(key.value()))
                .map(row -> new Versioned<>(limits(row.tokensPerDay(), row.tokensPerMonth(), row.requestsPerMinute()), row.version()))
                .orElse(new Versioned<>(UsageLimits.NONE, 0)))).orElseThrow();
    }

    @Override
    public void saveKeyLimits(OrganizationId organization, ApiKeyId key, UsageLimits limits) {
        long version = nextVersion();
        changes.inTransaction((handle, publish) -> {
            // Delete-then-insert, like update-then-insert, races without the lock; under it, a spent key deleted to make
            // room for a new one (JdbiApiKeyRepository) is either still here or found gone.
            handle.attach(OrganizationDao.class).lock(organization.value());
            if (handle.attach(ApiKeyDao.class).findById(key.value()).isEmpty()) {
                throw ApiKeyId.notFound();
            }
            LimitSettingsDao dao = handle.attach(LimitSettingsDao.class);
            dao.deleteKeyLimits(key.value());
            // No limits is a row too: its version tells counters that run that their limit is gone.
            dao.insertKeyLimits(new LimitSettingsDao.KeyLimitsRow(key.value(), organization.value(), nullable(limits.tokensPerDay()),
                    nullable(limits.tokensPerMonth()), nullable(limits.requestsPerMinute()), version));
            publish.accept(StoreChange.limits(KEY + key));
            return null;
        });
    }

    @Override
    public Versioned<SessionLimits> sessionLimitsOf(InstanceId instance) {
        return sessionLimits.get(instance.value(), unused -> Optional.of(jdbi.withExtension(LimitSettingsDao.class, dao -> {
            var rows = dao.sessionLimits(instance.value());
            long version = rows.stream().mapToLong(LimitSettingsDao.SessionLimitRow::version).max().orElse(0);
            return new Versioned<>(new SessionLimits(rows.stream()
                    .map(row -> new SessionLimitRule(row.sessionPrefix(), limits(row.tokensPerDay(), row.tokensPerMonth(),
                            row.requestsPerMinute())))
                    .toList()), version);
        }))).orElseThrow();
    }

    @Override
    public void saveSessionLimits(OrganizationId organization, InstanceId instance, SessionLimits limits) {
        long version = nextVersion();
        changes.inTransaction((handle, publish) -> {
            handle.attach(OrganizationDao.class).lock(organization.value());
            LimitSettingsDao dao = handle.attach(LimitSettingsDao.class);
            dao.deleteSessionLimits(instance.value());
            for (SessionLimitRule rule : limits.rules()) {
                UsageLimits ruleLimits = rule.limits();
                dao.insertSessionLimit(new LimitSettingsDao.SessionLimitRow(instance.value(), rule.sessionPrefix(), organization.value(),
                        nullable(ruleLimits.tokensPerDay()), nullable(ruleLimits.tokensPerMonth()), nullable(ruleLimits.requestsPerMinute()),
                        version));
            }
            publish.accept(StoreChange.limits(INSTANCE + instance));
            return null;
        });
    }

    /**
     * The id a limits change of {@code prefix} names, {@link #NOT_CACHED} for the other prefix; null (everything is
     * dropped) for a subject that is neither, which no version of Chowder publishes.
     */
    private static UUID idIn(String subject, String prefix) {
        if (!subject.startsWith(KEY) && !subject.startsWith(INSTANCE)) {
            return null;
        }
        if (!subject.startsWith(prefix)) {
            return NOT_CACHED;
        }
        try {
            return UUID.fromString(subject.substring(prefix.length()));
        } catch (IllegalArgumentException notAnId) {
            return null;
        }
    }

    /** The time of the change in milliseconds: later changes have larger versions (changes are rare and minutes apart). */
    private long nextVersion() {
        return clock.millis();
    }

    private static UsageLimits limits(Long tokensPerDay, Long tokensPerMonth, Long requestsPerMinute) {
        return new UsageLimits(optionalLong(tokensPerDay), optionalLong(tokensPerMonth), optionalLong(requestsPerMinute));
    }

    private static OptionalLong optionalLong(Long value) {
        return value == null ? OptionalLong.empty() : OptionalLong.of(value);
    }

    private static OptionalInt optionalInt(Integer value) {
        return value == null ? OptionalInt.empty() : OptionalInt.of(value);
    }

    private static Long nullable(OptionalLong value) {
        return value.isPresent() ? value.getAsLong() : null;
    }
}
