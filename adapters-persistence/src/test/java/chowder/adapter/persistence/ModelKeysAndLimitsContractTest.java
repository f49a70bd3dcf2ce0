package chowder.adapter.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chowder.application.port.out.LimitCounterPort;
import chowder.application.port.out.LimitCounterPort.TokenWindow;
import chowder.application.port.out.LimitSettingsPort;
import chowder.application.port.out.ModelKeysPort;
import chowder.application.port.out.ModelUsagePort;
import chowder.application.port.out.ModelUsagePort.Calls;
import chowder.application.port.out.ModelUsagePort.UsageHour;
import chowder.application.port.out.SaveApiKeyPort;
import chowder.application.port.out.SaveInstancePort;
import chowder.application.port.out.SaveOrganizationPort;
import chowder.domain.ApiKey;
import chowder.domain.ApiKeyKind;
import chowder.domain.ApiKeySecret;
import chowder.domain.GatewayToken;
import chowder.domain.GatewayUrl;
import chowder.domain.Instance;
import chowder.domain.InstanceSettings;
import chowder.domain.ModelApiKey;
import chowder.domain.ModelProviderName;
import chowder.domain.ModelTokens;
import chowder.domain.Organization;
import chowder.domain.OrganizationPlan;
import chowder.domain.SessionLimitRule;
import chowder.domain.SessionLimits;
import chowder.domain.UsageLimits;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.zaxxer.hikari.HikariDataSource;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Organizations' model keys, plans and limits, model usage, and the Bucket4j counters behind budgets, on every supported
 * database through the real migrations, with a second node on the same database where sharing is the point.
 */
abstract class ModelKeysAndLimitsContractTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Instant NOW = Instant.parse("2026-12-05T22:00:00Z");
    private final MasterKey masterKey = MasterKey.generate(RANDOM);
    private Injector injector;

    protected abstract String jdbcUrl();

    protected abstract String user();

    protected void dropDatabase() {}

    @BeforeEach
    void migrate() {
        injector = node(masterKey);
        injector.getInstance(DatabaseMigrations.class).migrate();
    }

    @AfterEach
    void close() {
        injector.getInstance(HikariDataSource.class).close();
        dropDatabase();
    }

    @Test
    void modelKeysAreStoredEncryptedBoundToTheirOrganizationAndMoveWithARotation() {
        Organization acme = organization("Acme");
        Organization globex = organization("Globex");
        ModelKeysPort keys = injector.getInstance(ModelKeysPort.class);
        keys.change(acme.id(), Map.of(ModelProviderName.OPENAI, Optional.of(new ModelApiKey("sk-acme-openai-secret")),
                ModelProviderName.ANTHROPIC, Optional.of(new ModelApiKey("sk-acme-anthropic-secret"))));
        keys.change(globex.id(), Map.of(ModelProviderName.OPENAI, Optional.of(new ModelApiKey("sk-globex-openai-secret"))));
        keys.change(acme.id(), Map.of(ModelProviderName.ANTHROPIC, Optional.empty()));

        assertThat(keys.providersOf(acme.id())).containsExactly(ModelProviderName.OPENAI);
        assertThat(keys.keyOf(acme.id(), ModelProviderName.OPENAI)).map(ModelApiKey::value).hasValue("sk-acme-openai-secret");
        assertThat(keys.keyOf(globex.id(), ModelProviderName.OPENAI)).map(ModelApiKey::value).hasValue("sk-globex-openai-secret");
        assertThat(keys.keyOf(acme.id(), ModelProviderName.ANTHROPIC)).isEmpty();
        Jdbi jdbi = injector.getInstance(Jdbi.class);
        List<String> stored = jdbi.withHandle(handle -> handle.createQuery("SELECT key_encrypted FROM organization_model_keys")
                .mapTo(String.class).list());
        assertThat(stored).hasSize(2).allSatisfy(value -> assertThat(value).startsWith("v1:").doesNotContain("secret"));

        // A ciphertext copied onto another organization does not decrypt: it is bound to its row.
        jdbi.useHandle(handle -> handle.execute("UPDATE organization_model_keys SET key_encrypted = ? WHERE organization_id = ?",
                encryptedOf(jdbi, acme), globex.id().value()));
        Injector fresh = node(masterKey);
        try {
            assertThatThrownBy(() -> fresh.getInstance(ModelKeysPort.class).keyOf(globex.id(), ModelProviderName.OPENAI))
                    .hasMessageContaining("cannot decrypt the openai key of organization " + globex.id()).message().doesNotContain("secret");
        } finally {
            fresh.getInstance(HikariDataSource.class).close();
        }
        keys.change(globex.id(), Map.of(ModelProviderName.OPENAI, Optional.of(new ModelApiKey("sk-globex-openai-secret"))));

        MasterKey next = MasterKey.generate(RANDOM);
        injector.getInstance(MasterKeyRotation.class).rotateTo(next);
        Injector rotated = node(next);
        Injector old = node(masterKey);
        try {
            assertThat(rotated.getInstance(ModelKeysPort.class).keyOf(acme.id(), ModelProviderName.OPENAI)).map(ModelApiKey::value)
                    .hasValue("sk-acme-openai-secret");
            assertThatThrownBy(() -> old.getInstance(ModelKeysPort.class).keyOf(acme.id(), ModelProviderName.OPENAI))
                    .hasMessageContaining("master key differs");
        } finally {
            rotated.getInstance(HikariDataSource.class).close();
            old.getInstance(HikariDataSource.class).close();
        }
    }

    @Test
    void plansAndLimitsRoundTripAndAChangeOnOneNodeHoldsOnTheOtherOnceItReturns() {
        Injector other = followingNode();
        try {
            Organization acme = organization("Acme");
            ApiKey key = ApiKey.issue(acme.id(), "k", ApiKeySecret.generate(ApiKeyKind.ORGANIZATION, RANDOM), NOW);
            injector.getInstance(SaveApiKeyPort.class).insert(key);
            Instance instance = Instance.register(acme.id(), "bot", GatewayUrl.of("http://127.0.0.1:1"), new GatewayToken("t"),
                    InstanceSettings.NONE, NOW);
            injector.getInstance(SaveInstancePort.class).insertWithinLimit(instance, 0);
            LimitSettingsPort here = injector.getInstance(LimitSettingsPort.class);
            LimitSettingsPort there = other.getInstance(LimitSettingsPort.class);

            // Read (and cached) on the other node before anything is set: the defaults.
            assertThat(there.planOf(acme.id()).value()).isEqualTo(OrganizationPlan.DEFAULT);
            assertThat(there.limitsOfKey(key.id()).value()).isEqualTo(UsageLimits.NONE);
            assertThat(there.sessionLimitsOf(instance.id()).value()).isEqualTo(SessionLimits.NONE);

            OrganizationPlan plan = new OrganizationPlan("team", OptionalInt.of(3), limits(1000, 30_000, 60), Optional.of(false));
            here.savePlan(acme.id(), plan);
            here.saveKeyLimits(acme.id(), key.id(), limits(500, null, 10));
            SessionLimits rules = new SessionLimits(List.of(new SessionLimitRule("", limits(null, null, 5)),
                    new SessionLimitRule("user-", limits(100, null, null))));
            here.saveSessionLimits(acme.id(), instance.id(), rules);

            assertThat(there.planOf(acme.id()).value()).isEqualTo(plan);
            assertThat(there.limitsOfKey(key.id()).value()).isEqualTo(limits(500, null, 10));
            assertThat(there.sessionLimitsOf(instance.id()).value().rules()).containsExactlyInAnyOrderElementsOf(rules.rules());
            long version = there.limitsOfKey(key.id()).version();
            assertThat(version).isPositive();

            here.saveKeyLimits(acme.id(), key.id(), UsageLimits.NONE);
            here.saveSessionLimits(acme.id(), instance.id(), SessionLimits.NONE);
            assertThat(there.limitsOfKey(key.id()).value()).isEqualTo(UsageLimits.NONE);
            assertThat(there.limitsOfKey(key.id()).version()).isGreaterThanOrEqualTo(version);
            assertThat(there.sessionLimitsOf(instance.id()).value()).isEqualTo(SessionLimits.NONE);
        } finally {
            stopNode(other);
        }
    }

    @Test
    void countersAreSharedByEveryNodeOfTheDatabase() {
        Injector other = node(masterKey);
        try {
            LimitCounterPort one = injector.getInstance(LimitCounterPort.class);
            LimitCounterPort two = other.getInstance(LimitCounterPort.class);

            assertThat(one.takeRequest("org:a", 3, 1)).isEmpty();
            assertThat(two.takeRequest("org:a", 3, 1)).isEmpty();
            assertThat(one.takeRequest("org:a", 3, 1)).isEmpty();
            assertThat(two.takeRequest("org:a", 3, 1)).hasValueSatisfying(wait ->
                    assertThat(wait).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(20)));
            one.returnRequest("org:a", 3, 1);
            assertThat(two.takeRequest("org:a", 3, 1)).isEmpty();
            assertThat(one.takeRequest("org:b", 3, 1)).isEmpty();

            assertThat(one.tokensSpent("key:k", TokenWindow.DAY, 100, NOW)).isEmpty();
            one.spendTokens("key:k", TokenWindow.DAY, 90, NOW);
            assertThat(two.tokensSpent("key:k", TokenWindow.DAY, 100, NOW)).isEmpty();
            two.spendTokens("key:k", TokenWindow.DAY, 20, NOW);
            // 110 of 100: spent until midnight UTC, two hours away.
            assertThat(one.tokensSpent("key:k", TokenWindow.DAY, 100, NOW)).hasValue(Duration.ofHours(2));
            // The next day is a new window; the month holds both days.
            assertThat(one.tokensSpent("key:k", TokenWindow.DAY, 100, NOW.plus(Duration.ofHours(3)))).isEmpty();
            one.spendTokens("key:k", TokenWindow.MONTH, 110, NOW);
            two.spendTokens("key:k", TokenWindow.MONTH, 50, NOW.plus(Duration.ofHours(3)));
            assertThat(one.tokensSpent("key:k", TokenWindow.MONTH, 150, NOW.plus(Duration.ofHours(3))))
                    .hasValue(Duration.between(NOW.plus(Duration.ofHours(3)), Instant.parse("2027-01-01T00:00:00Z")));

            // A raised budget counts what was already spent; so does a lowered one.
            assertThat(two.tokensSpent("key:k", TokenWindow.DAY, 200, NOW)).isEmpty();
            two.spendTokens("key:k", TokenWindow.DAY, 90, NOW);
            assertThat(one.tokensSpent("key:k", TokenWindow.DAY, 200, NOW)).isPresent();
            assertThat(one.tokensSpent("key:j", TokenWindow.DAY, 100, NOW)).isEmpty();
            one.spendTokens("key:j", TokenWindow.DAY, 40, NOW);
            assertThat(two.tokensSpent("key:j", TokenWindow.DAY, 40, NOW)).isPresent();
            assertThat(two.tokensSpent("key:j", TokenWindow.DAY, 100, NOW)).isEmpty();

            // A raised rate (a newer version of its setting) reaches an allowance that runs, keeping what was taken.
            assertThat(one.takeRequest("key:r", 2, 1)).isEmpty();
            assertThat(one.takeRequest("key:r", 2, 1)).isEmpty();
            assertThat(two.takeRequest("key:r", 2, 1)).isPresent();
            assertThat(two.takeRequest("key:r", 4, 2)).isEmpty();
            assertThat(one.takeRequest("key:r", 4, 2)).isEmpty();
            assertThat(one.takeRequest("key:r", 4, 2)).isPresent();
        } finally {
            other.getInstance(HikariDataSource.class).close();
        }
    }

    @Test
    void countersPastTheirExpiryAreRemovedAndOthersKept() {
        LimitCounterPort counters = injector.getInstance(LimitCounterPort.class);
        counters.takeRequest("org:kept", 10, 1);
        Jdbi jdbi = injector.getInstance(Jdbi.class);
        jdbi.useHandle(handle -> handle.execute("INSERT INTO limit_counters (id, state, expires_at) VALUES ('rpm:org:gone', NULL, 1)"));

        assertThat(counters.removeExpired()).isEqualTo(1);
        List<String> left = jdbi.withHandle(handle -> handle.createQuery("SELECT id FROM limit_counters").mapTo(String.class).list());
        assertThat(left).containsExactly("rpm:org:kept");
    }

    @Test
    void modelUsageAddsUpPerInstanceProviderAndHour() {
        Organization acme = organization("Acme");
        Instance instance = Instance.register(acme.id(), "bot", GatewayUrl.of("http://127.0.0.1:1"), new GatewayToken("t"),
                InstanceSettings.NONE, NOW);
        ModelUsagePort usage = injector.getInstance(ModelUsagePort.class);
        Instant hour = NOW.truncatedTo(ChronoUnit.HOURS);
        UsageHour openai = new UsageHour(acme.id(), instance.id(), ModelProviderName.OPENAI, hour);
        usage.add(Map.of(openai, new Calls(2, new ModelTokens(100, 20, 50))));
        usage.add(Map.of(openai, new Calls(1, new ModelTokens(10, 2, 0)),
                new UsageHour(acme.id(), instance.id(), ModelProviderName.ANTHROPIC, hour.minus(Duration.ofHours(1))),
                new Calls(4, new ModelTokens(40, 4, 4))));

        assertThat(usage.hoursOf(instance.id(), hour.minus(Duration.ofDays(1)), hour.plus(Duration.ofHours(1))))
                .extracting(ModelUsagePort.HourOfUsage::provider, ModelUsagePort.HourOfUsage::calls)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(ModelProviderName.ANTHROPIC, new Calls(4, new ModelTokens(40, 4, 4))),
                        org.assertj.core.groups.Tuple.tuple(ModelProviderName.OPENAI, new Calls(3, new ModelTokens(110, 22, 50))));
        assertThat(usage.hoursOf(instance.id(), hour, hour.plus(Duration.ofHours(1)))).hasSize(1);
    }

    private static String encryptedOf(Jdbi jdbi, Organization organization) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT key_encrypted FROM organization_model_keys WHERE organization_id = ?")
                .bind(0, organization.id().value()).mapTo(String.class).first());
    }

    private static UsageLimits limits(Integer perDay, Integer perMonth, Integer perMinute) {
        return new UsageLimits(perDay == null ? OptionalLong.empty() : OptionalLong.of(perDay),
                perMonth == null ? OptionalLong.empty() : OptionalLong.of(perMonth),
                perMinute == null ? OptionalLong.empty() : OptionalLong.of(perMinute));
    }

    private Organization organization(String name) {
        Organization organization = Organization.create(name, NOW);
        injector.getInstance(SaveOrganizationPort.class).insertWithKey(organization,
                ApiKey.issue(organization.id(), "default", ApiKeySecret.generate(ApiKeyKind.ORGANIZATION, RANDOM), NOW));
        return organization;
    }

    private Injector node(MasterKey key) {
        return Guice.createInjector(new PersistenceModule(new PersistenceConfig(jdbcUrl(), user(), "", 4, key)));
    }

    /** Another node on the same database, following the change log as a serving node does. */
    private Injector followingNode() {
        Injector node = node(masterKey);
        node.getInstance(ChangeFeed.class).start();
        return node;
    }

    private static void stopNode(Injector node) {
        node.getInstance(ChangeFeed.class).stop();
        node.getInstance(HikariDataSource.class).close();
    }
}
