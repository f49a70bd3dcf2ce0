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
import chowder.domain.ModelApiKey;
import chowder.domain.ModelProviderName;
import chowder.domain.ModelTokens;
import chowder.domain.OrganizationPlan;
import chowder.domain.SessionLimitRule;
import chowder.domain.SessionLimits;
import chowder.domain.UsageLimits;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.OptionalLong;
import chowder.application.port.out.LoadApiKeyPort;
import chowder.application.port.out.LoadInstancePort;
import chowder.application.port.out.LoadOrganizationPort;
import chowder.application.port.out.SaveApiKeyPort;
import chowder.application.port.out.SessionStorePort;
import chowder.application.port.out.ChannelSettingsPort;
import chowder.application.port.out.SkillSettingsPort;
import chowder.application.port.out.StoreHealthPort;
import chowder.domain.ApiKeyId;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.Channel;
import chowder.domain.ChannelSettings;
import chowder.domain.SkillSettings;
import chowder.domain.SessionRecord;
import chowder.domain.TokenUsage;
import chowder.application.port.out.SaveInstancePort;
import chowder.application.port.out.SaveOrganizationPort;
import chowder.domain.ApiKey;
import chowder.domain.ApiKeyKind;
import chowder.domain.ApiKeySecret;
import chowder.domain.GatewayToken;
import chowder.domain.GatewayUrl;
import chowder.domain.Instance;
import chowder.domain.InstanceId;
import chowder.domain.InstanceSettings;
import chowder.domain.InstanceUpdate;
import chowder.domain.KeyScope;
import chowder.domain.Permission;
import chowder.domain.SessionId;
import java.util.Set;
import java.util.Optional;
import chowder.domain.Organization;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.zaxxer.hikari.HikariDataSource;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The contract of the store ports, run against every supported database through the real migrations. */
abstract class StoreContractTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    /** Two hours before a UTC midnight: counters' windows end at a known time. */
    private static final Instant LIMITS_NOW = Instant.parse("2026-12-05T22:00:00Z");
    protected final MasterKey masterKey = MasterKey.generate(RANDOM);
    private Injector injector;

    /** A fresh, empty database (or schema) for one test. */
    protected abstract String jdbcUrl();

    protected abstract String user();

    /** Another fresh, empty database (or schema), never migrated; removed by {@link #dropDatabase()}. */
    protected abstract String emptyDatabaseUrl();

    protected void dropDatabase() {}

    @BeforeEach
    void migrate() {
        injector = injectorFor(masterKey);
        injector.getInstance(DatabaseMigrations.class).migrate();
    }

    @AfterEach
    void close() {
        injector.getInstance(HikariDataSource.class).close();
        dropDatabase();
    }

    @Test
    void findsAKeyOnlyByTheHashOfTheRawKey() {
        ApiKeySecret secret = ApiKeySecret.generate(ApiKeyKind.ORGANIZATION, RANDOM);
        Organization organization = Organization.create("Acme", now);
        ApiKey key = ApiKey.issue(organization.id(), "default", secret, now);
        injector.getInstance(SaveOrganizationPort.class).insertWithKey(organization, key);

        LoadApiKeyPort keys = injector.getInstance(LoadApiKeyPort.class);
        assertThat(keys.findByHash(secret.hash())).contains(key);
        assertThat(keys.findByHash(ApiKeySecret.generate(ApiKeyKind.ORGANIZATION, RANDOM).hash())).isEmpty();
        assertThat(everyStoredValue()).noneMatch(value -> value.contains(secret.value().substring(8)));
    }

    @Test
    void storesInstancesWithTheirTokenEncryptedAndListsThemNewestFirst() {
        Organization acme = organization("Acme");
        Organization globex = organization("Globex");
        Instance older = instance(acme, "older", now.minusSeconds(60), "token-older-secret");
        Instance newer = instance(acme, "newer", now, "token-newer-secret");
        Instance foreign = instance(globex, "foreign", now, "token-foreign-secret");
        SaveInstancePort save = injector.getInstance(SaveInstancePort.class);
        List.of(older, newer, foreign).forEach(instance -> assertThat(save.insertWithinLimit(instance, 0)).isTrue());

        LoadInstancePort load = injector.getInstance(LoadInstancePort.class);
        assertThat(load.findById(older.id())).contains(older);
        assertThat(load.findById(InstanceId.random())).isEmpty();
        assertThat(load.listByOrganization(acme.id())).containsExactly(newer, older);
        assertThat(everyStoredValue()).noneMatch(value -> value.contains("token-") && value.contains("-secret"));
    }

    @Test
    void aDifferentMasterKeyCannotReadTheTokensAndSaysWhy() {
        Organization acme = organization("Acme");
        Instance instance = instance(acme, "bot", now, "token-secret");
        injector.getInstance(SaveInstancePort.class).insertWithinLimit(instance, 0);

        Injector other = injectorFor(MasterKey.generate(RANDOM));
        try {
            assertThatThrownBy(() -> other.getInstance(LoadInstancePort.class).findById(instance.id()))
                    .hasMessageContaining("master key differs")
                    .message().doesNotContain("token-secret");
        } finally {
            other.getInstance(HikariDataSource.class).close();
        }
    }

    @Test
    void onlyTheDatabasesMasterKeyPassesItsCheckAndARotationMovesTheCheck() {
        MasterKeyVerification node = injector.getInstance(MasterKeyVerification.class);
        assertThat(node.verifyOrRecord()).isEqualTo(MasterKeyVerification.Outcome.RECORDED);
        assertThat(node.verifyOrRecord()).isEqualTo(MasterKeyVerification.Outcome.MATCHES);
        String stored = injector.getInstance(Jdbi.class).withHandle(handle ->
                handle.createQuery("SELECT check_value FROM master_key_check").mapTo(String.class).one());
        assertThat(stored).startsWith("v1:").doesNotContain(masterKey.toBase64());
        Injector other = injectorFor(MasterKey.generate(RANDOM));
        try {
            assertThat(other.getInstance(MasterKeyVerification.class).verifyOrRecord()).isEqualTo(MasterKeyVerification.Outcome.DIFFERS);
        } finally {
            other.getInstance(HikariDataSource.class).close();
        }

        MasterKey next = MasterKey.generate(RANDOM);
        injector.getInstance(MasterKeyRotation.class).rotateTo(next);
        assertThatThrownBy(() -> injector.getInstance(StoreHealthPort.class).requireReady())
                .hasMessageContaining("master key changed (another process rotated it)");
        Injector rotated = injectorFor(next);
        try {
            assertThat(rotated.getInstance(MasterKeyVerification.class).verifyOrRecord()).isEqualTo(MasterKeyVerification.Outcome.MATCHES);
            rotated.getInstance(StoreHealthPort.class).requireReady();
        } finally {
            rotated.getInstance(HikariDataSource.class).close();
        }
    }

    @Test
    void aDatabaseFromBeforeTheCheckRecordsOnlyTheKeyItsTokensAreEncryptedWith() {
        Instance instance = stored(organization("Acme"), "bot", "token-secret");
        Injector other = injectorFor(MasterKey.generate(RANDOM));
        try {
            assertThat(other.getInstance(MasterKeyVerification.class).verifyOrRecord()).isEqualTo(MasterKeyVerification.Outcome.DIFFERS);
        } finally {
            other.getInstance(HikariDataSource.class).close();
        }
        assertThat(injector.getInstance(MasterKeyVerification.class).verifyOrRecord()).isEqualTo(MasterKeyVerification.Outcome.RECORDED);
    }

    @Test
    void updatesApplyOnlyWhenTheStatusIsStillTheExpectedOne() {
        Organization acme = organization("Acme");
        Instance instance = instance(acme, "bot", now, "token-secret");
        SaveInstancePort save = injector.getInstance(SaveInstancePort.class);
        LoadInstancePort load = injector.getInstance(LoadInstancePort.class);
        save.insertWithinLimit(instance, 0);

        Instance running = instance.observed(Optional.empty(), now.plusSeconds(1));
        assertThat(save.updateIfUnchanged(running, instance)).isTrue();
        Instance renamed = running.update(new InstanceUpdate(Optional.of("renamed"), Optional.empty(), Optional.empty(), Optional.empty()),
                now.plusSeconds(2));
        assertThat(save.updateIfUnchanged(renamed, running)).isTrue();
        Instance staleProbeOfRunning = running.observed(Optional.of("refused"), now.plusSeconds(3));
        assertThat(save.updateIfUnchanged(staleProbeOfRunning, running)).as("a probe must not undo a rename").isFalse();
        Instance stopped = renamed.stop(now.plusSeconds(4));
        assertThat(save.updateIfUnchanged(stopped, renamed)).isTrue();
        Instance staleProbe = renamed.observed(Optional.of("refused"), now.plusSeconds(5));
        assertThat(save.updateIfUnchanged(staleProbe, renamed)).as("a probe must not undo a stop").isFalse();
        assertThat(load.findById(instance.id())).contains(stopped);
        assertThat(load.listProbed()).isEmpty();
        Instance readdressed = stopped.update(new InstanceUpdate(Optional.empty(), Optional.of(GatewayUrl.of("https://gw.example:8443/a")),
                Optional.of(new GatewayToken("rotated-secret")), Optional.of("{}")), now.plusSeconds(6));
        assertThat(save.updateIfUnchanged(readdressed, stopped)).isTrue();
        assertThat(load.findById(instance.id())).contains(readdressed);
        assertThat(load.listAll()).containsExactly(readdressed);
    }

    @Test
    void theInstanceLimitIsEnforcedAtomicallyPerOrganization() throws Exception {
        Organization acme = organization("Acme");
        SaveInstancePort save = injector.getInstance(SaveInstancePort.class);
        var results = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor().invokeAll(java.util.stream.IntStream.range(0, 8)
                .mapToObj(i -> (java.util.concurrent.Callable<Boolean>) () -> save.insertWithinLimit(instance(acme, "i" + i, now, "t"), 3))
                .toList());
        long stored = results.stream().filter(result -> {
            try {
                return result.get();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).count();
        assertThat(stored).isEqualTo(3);
        assertThat(injector.getInstance(LoadInstancePort.class).listByOrganization(acme.id())).hasSize(3);
    }

    @Test
    void rotatingTheMasterKeyReEncryptsEveryToken() {
        Organization acme = organization("Acme");
        Instance instance = instance(acme, "bot", now, "token-to-rotate");
        injector.getInstance(SaveInstancePort.class).insertWithinLimit(instance, 0);
        MasterKey next = MasterKey.generate(RANDOM);
        assertThat(injector.getInstance(MasterKeyRotation.class).rotateTo(next)).isEqualTo(1);

        Injector rotated = injectorFor(next);
        try {
            assertThat(rotated.getInstance(LoadInstancePort.class).findById(instance.id()).orElseThrow().gatewayToken().value())
                    .isEqualTo("token-to-rotate");
        } finally {
            rotated.getInstance(HikariDataSource.class).close();
        }
        assertThatThrownBy(() -> injector.getInstance(LoadInstancePort.class).findById(instance.id())).hasMessageContaining("master key differs");
    }

    @Test
    void skillSettingsKeepEveryFieldAndAreListedPerInstanceSortedByKey() {
        Organization acme = organization("Acme");
        Instance bot = stored(acme, "bot", "t");
        Instance other = stored(acme, "other", "t");
        SkillSettingsPort skills = injector.getInstance(SkillSettingsPort.class);
        SkillSettings weather = weatherSettings();
        SkillSettings onlyConfig = new SkillSettings(null, null, Map.of(), Map.of("units", "metric"));
        SkillSettings otherInstances = new SkillSettings(false, "sk-other-secret", Map.of(), Map.of());
        skills.save(bot.id(), "weather", weather);
        skills.save(bot.id(), "calendar", onlyConfig);
        skills.save(other.id(), "weather", otherInstances);

        Map<String, SkillSettings> listed = skills.listByInstance(bot.id());
        assertThat(listed).containsExactly(Map.entry("calendar", onlyConfig), Map.entry("weather", weather));
        assertThat(listed.get("calendar").enabled()).isNull();
        assertThat(listed.get("calendar").apiKey()).isNull();
        assertThat(skills.listByInstance(other.id())).containsExactly(Map.entry("weather", otherInstances));
        assertThat(skills.listByInstance(InstanceId.random())).isEmpty();
    }

    @Test
    void skillSettingsAreStoredEncryptedAsAWhole() {
        Instance bot = stored(organization("Acme"), "bot", "t");
        injector.getInstance(SkillSettingsPort.class).save(bot.id(), "weather", weatherSettings());

        String stored = storedSkillSettings(bot.id(), "weather");
        assertThat(stored).startsWith("v1:")
                .doesNotContain("sk-weather-secret", "env-value-secret", "nested-value", "WEATHER_REGION", "metric");
    }

    @Test
    void savingEmptySkillSettingsRemovesThemAndSavingAgainReplacesThem() {
        Instance bot = stored(organization("Acme"), "bot", "t");
        SkillSettingsPort skills = injector.getInstance(SkillSettingsPort.class);
        skills.save(bot.id(), "weather", weatherSettings());
        skills.save(bot.id(), "weather", SkillSettings.NONE);
        assertThat(skills.listByInstance(bot.id())).isEmpty();

        skills.save(bot.id(), "weather", weatherSettings());
        SkillSettings turnedOff = new SkillSettings(false, null, Map.of(), Map.of());
        skills.save(bot.id(), "weather", turnedOff);
        skills.save(bot.id(), "calendar", turnedOff);
        assertThat(skills.listByInstance(bot.id())).containsExactly(Map.entry("calendar", turnedOff), Map.entry("weather", turnedOff));

        skills.delete(bot.id(), "weather");
        skills.delete(bot.id(), "never-saved");
        assertThat(skills.listByInstance(bot.id())).containsOnlyKeys("calendar");
        skills.save(bot.id(), "never-saved", SkillSettings.NONE);
        assertThat(skills.listByInstance(bot.id())).containsOnlyKeys("calendar");
    }

    @Test
    void skillSettingsOfAnUnknownInstanceAreRefused() {
        assertThatThrownBy(() -> injector.getInstance(SkillSettingsPort.class).save(InstanceId.random(), "weather", weatherSettings()))
                .isInstanceOfSatisfying(ChowderException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INSTANCE_NOT_FOUND));
    }

    @Test
    void skillSettingsOverTheirLimitAreRefusedAndWhatWasStoredStays() {
        Instance bot = stored(organization("Acme"), "bot", "t");
        SkillSettingsPort skills = injector.getInstance(SkillSettingsPort.class);
        skills.save(bot.id(), "weather", weatherSettings());

        SkillSettings huge = new SkillSettings(null, null, Map.of(), Map.of("blob", "x".repeat(70 * 1024)));
        assertThatThrownBy(() -> skills.save(bot.id(), "weather", huge))
                .isInstanceOfSatisfying(ChowderException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.VALIDATION_FAILED);
                    assertThat(e.getMessage()).contains("64 KiB").doesNotContain("xxxx");
                });
        assertThatThrownBy(() -> skills.save(bot.id(), "k".repeat(201), weatherSettings())).isInstanceOf(ChowderException.class);
        assertThat(skills.listByInstance(bot.id())).containsExactly(Map.entry("weather", weatherSettings()));

        skills.deleteAll(bot.id());
        assertThat(skills.listByInstance(bot.id())).isEmpty();
    }

    @Test
    void skillSettingsCopiedOntoAnotherRowDoNotDecrypt() {
        Organization acme = organization("Acme");
        Instance bot = stored(acme, "bot", "t");
        Instance other = stored(acme, "other", "t");
        SkillSettingsPort skills = injector.getInstance(SkillSettingsPort.class);
        skills.save(bot.id(), "weather", weatherSettings());
        String stored = storedSkillSettings(bot.id(), "weather");
        Jdbi jdbi = injector.getInstance(Jdbi.class);
        String insert = "INSERT INTO instance_skill_settings (instance_id, skill_key, settings_encrypted, updated_at) VALUES (?, ?, ?, ?)";
        jdbi.useHandle(handle -> handle.execute(insert, bot.id().value(), "calendar", stored, now));
        jdbi.useHandle(handle -> handle.execute(insert, other.id().value(), "weather", stored, now));

        assertThatThrownBy(() -> skills.listByInstance(bot.id()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("skill calendar")
                .hasMessageContaining("master key differs")
                .message().doesNotContain("sk-weather-secret", "env-value-secret");
        assertThatThrownBy(() -> skills.listByInstance(other.id()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("master key differs");
    }

    @Test
    void rotatingTheMasterKeyReEncryptsSkillSettings() {
        Instance bot = stored(organization("Acme"), "bot", "token-to-rotate");
        Instance other = stored(organization("Globex"), "other", "other-token");
        SkillSettings calendar = new SkillSettings(true, "sk-calendar-secret", Map.of("CALENDAR_URL", "https://cal.example"), Map.of());
        injector.getInstance(SkillSettingsPort.class).save(bot.id(), "weather", weatherSettings());
        injector.getInstance(SkillSettingsPort.class).save(bot.id(), "calendar", calendar);
        injector.getInstance(SkillSettingsPort.class).save(other.id(), "weather", calendar);
        String before = storedSkillSettings(bot.id(), "weather");
        MasterKey next = MasterKey.generate(RANDOM);
        assertThat(injector.getInstance(MasterKeyRotation.class).rotateTo(next)).as("counts gateway tokens").isEqualTo(2);

        assertThat(storedSkillSettings(bot.id(), "weather")).isNotEqualTo(before);
        Injector rotated = injectorFor(next);
        try {
            SkillSettingsPort underNewKey = rotated.getInstance(SkillSettingsPort.class);
            assertThat(underNewKey.listByInstance(bot.id()))
                    .containsExactly(Map.entry("calendar", calendar), Map.entry("weather", weatherSettings()));
            assertThat(underNewKey.listByInstance(other.id())).containsExactly(Map.entry("weather", calendar));
        } finally {
            rotated.getInstance(HikariDataSource.class).close();
        }
        // Every row moved: the old key opens none of them.
        for (Instance instance : List.of(bot, other)) {
            assertThatThrownBy(() -> injector.getInstance(SkillSettingsPort.class).listByInstance(instance.id()))
                    .hasMessageContaining("master key differs");
        }
    }

    @Test
    void channelSettingsAreKeptPerInstanceAndChannelEncryptedAndBoundToTheirRow() {
        Organization acme = organization("Acme");
        Instance bot = stored(acme, "bot", "t");
        Instance other = stored(acme, "other", "t");
        ChannelSettingsPort channels = injector.getInstance(ChannelSettingsPort.class);
        ChannelSettings telegram = new ChannelSettings(true, Map.of("token", "123456:telegram-secret"));
        ChannelSettings slack = new ChannelSettings(true, Map.of("bot_token", "xoxb-slack-secret", "app_token", "xapp-slack-secret"));
        channels.save(bot.id(), Channel.TELEGRAM, telegram);
        channels.save(bot.id(), Channel.SLACK, slack);
        channels.save(other.id(), Channel.TELEGRAM, new ChannelSettings(true, Map.of("token", "other-secret")));
        channels.save(bot.id(), Channel.SLACK, slack.disabled());

        assertThat(channels.listByInstance(bot.id())).containsExactly(Map.entry(Channel.TELEGRAM, telegram), Map.entry(Channel.SLACK, slack.disabled()));
        assertThat(channels.listByInstance(other.id()).get(Channel.TELEGRAM).fields()).containsEntry("token", "other-secret");
        assertThat(channels.listByInstance(InstanceId.random())).isEmpty();
        assertThatThrownBy(() -> channels.save(InstanceId.random(), Channel.TELEGRAM, telegram))
                .isInstanceOfSatisfying(ChowderException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INSTANCE_NOT_FOUND));

        Jdbi jdbi = injector.getInstance(Jdbi.class);
        String stored = jdbi.withHandle(handle -> handle.createQuery(
                        "SELECT settings_encrypted FROM instance_channel_settings WHERE instance_id = :instance AND channel = 'telegram'")
                .bind("instance", bot.id().value()).mapTo(String.class).one());
        assertThat(stored).startsWith("v1:").doesNotContain("telegram-secret", "token");
        // Copied onto another instance's row, a channel's settings do not decrypt.
        jdbi.useHandle(handle -> handle.execute("UPDATE instance_channel_settings SET settings_encrypted = ? WHERE instance_id = ? AND channel = 'telegram'",
                stored, other.id().value()));
        assertThatThrownBy(() -> channels.listByInstance(other.id())).hasMessageContaining("master key differs")
                .message().doesNotContain("telegram-secret");

        channels.deleteAll(bot.id());
        assertThat(channels.listByInstance(bot.id())).isEmpty();
    }

    @Test
    void rotatingTheMasterKeyReEncryptsChannelSettings() {
        Instance bot = stored(organization("Acme"), "bot", "token-to-rotate");
        ChannelSettings telegram = new ChannelSettings(false, Map.of("token", "123456:telegram-secret"));
        injector.getInstance(ChannelSettingsPort.class).save(bot.id(), Channel.TELEGRAM, telegram);
        MasterKey next = MasterKey.generate(RANDOM);
        injector.getInstance(MasterKeyRotation.class).rotateTo(next);

        Injector rotated = injectorFor(next);
        try {
            assertThat(rotated.getInstance(ChannelSettingsPort.class).listByInstance(bot.id())).containsExactly(Map.entry(Channel.TELEGRAM, telegram));
        } finally {
            rotated.getInstance(HikariDataSource.class).close();
        }
        assertThatThrownBy(() -> injector.getInstance(ChannelSettingsPort.class).listByInstance(bot.id())).hasMessageContaining("master key differs");
    }

    /** Every kind of field and value: secrets, null, nested maps and lists, numbers small and large. */
    private static SkillSettings weatherSettings() {
        Map<String, Object> nested = new java.util.LinkedHashMap<>();
        nested.put("region", "nested-value");
        nested.put("unset", null);
        nested.put("levels", List.of(1, 2.5, "three", true, Map.of("deep", List.of())));
        Map<String, Object> config = new java.util.LinkedHashMap<>();
        config.put("units", "metric");
        config.put("retries", 3);
        config.put("quota", 10_000_000_000L);
        config.put("ratio", 0.75);
        config.put("verbose", false);
        config.put("provider", nested);
        return new SkillSettings(true, "sk-weather-secret", Map.of("WEATHER_REGION", "env-value-secret", "WEATHER_DEBUG", "1"), config);
    }

    private String storedSkillSettings(InstanceId instance, String skillKey) {
        return injector.getInstance(Jdbi.class).withHandle(handle -> handle.createQuery(
                        "SELECT settings_encrypted FROM instance_skill_settings WHERE instance_id = :instance AND skill_key = :skillKey")
                .bind("instance", instance.value())
                .bind("skillKey", skillKey)
                .mapTo(String.class)
                .one());
    }

    @Test
    void scopedKeysKeepTheirGrantsAndSessionBindingsAndRevocationSticks() {
        Organization acme = organization("Acme");
        Instance first = instance(acme, "first", now, "t");
        Instance second = instance(acme, "second", now, "t");
        SaveInstancePort instances = injector.getInstance(SaveInstancePort.class);
        instances.insertWithinLimit(first, 0);
        instances.insertWithinLimit(second, 0);
        KeyScope scope = new KeyScope(Map.of(first.id(), Set.of(Permission.READ, Permission.INTERACT), second.id(), Set.of(Permission.FILES)),
                Set.of(SessionId.of("user-42"), SessionId.of("a/b c")), Optional.of("tenant-7/"));
        ApiKeySecret secret = ApiKeySecret.generate(ApiKeyKind.SCOPED, RANDOM);
        ApiKey key = ApiKey.issue(acme.id(), "scoped", secret, scope, Optional.of(now.plusSeconds(3600)), now);
        injector.getInstance(SaveApiKeyPort.class).insert(key);

        LoadApiKeyPort keys = injector.getInstance(LoadApiKeyPort.class);
        assertThat(keys.findByHash(secret.hash())).contains(key);
        assertThat(keys.findById(key.id())).contains(key);
        assertThat(keys.listKeysOf(acme.id())).hasSize(2).contains(key);

        injector.getInstance(SaveApiKeyPort.class).recordLastUsed(Map.of(key.id(), now.plusSeconds(5)));
        injector.getInstance(SaveApiKeyPort.class).recordLastUsed(Map.of(key.id(), now.plusSeconds(2)));
        assertThat(keys.findById(key.id()).orElseThrow().lastUsedAt()).as("never moves back").contains(now.plusSeconds(5));
        assertThat(injector.getInstance(SaveApiKeyPort.class).revoke(key.id())).isTrue();
        assertThat(keys.findByHash(secret.hash()).orElseThrow().active()).isFalse();
        assertThat(everyStoredValue()).noneMatch(value -> value.contains(secret.value().substring(7)));
    }

    @Test
    void organizationsAreRenamedAndListed() {
        Organization acme = organization("Acme");
        Organization renamed = new Organization(acme.id(), "Acme Corp", acme.createdAt(), now.plusSeconds(9));
        injector.getInstance(SaveOrganizationPort.class).update(renamed);
        LoadOrganizationPort organizations = injector.getInstance(LoadOrganizationPort.class);
        assertThat(organizations.findById(acme.id())).contains(renamed);
        assertThat(organizations.listOrganizations()).containsExactly(renamed);
    }

    @Test
    void sessionsAreRecordedOnceCountedInBatchesAndPagedNewestFirst() {
        Organization acme = organization("Acme");
        Instance instance = instance(acme, "bot", now, "t");
        injector.getInstance(SaveInstancePort.class).insertWithinLimit(instance, 0);
        SessionStorePort sessions = injector.getInstance(SessionStorePort.class);
        ApiKeyId key = ApiKeyId.random();
        List<String> ids = List.of("a%b", "a_b", "a!b", "ab", "b", "User-42", "😀 x");
        for (int i = 0; i < ids.size(); i++) {
            SessionRecord first = SessionRecord.firstUse(instance.id(), SessionId.of(ids.get(i)), now.plusSeconds(i));
            assertThat(sessions.insertIfAbsent(first)).isEqualTo(first);
            assertThat(sessions.insertIfAbsent(SessionRecord.firstUse(instance.id(), SessionId.of(ids.get(i)), now.plusSeconds(99))))
                    .as("the first record wins").isEqualTo(first);
        }
        sessions.addActivity(List.of(new SessionStorePort.Activity(instance.id(), SessionId.of("ab"), key, now.truncatedTo(ChronoUnit.HOURS),
                2, new TokenUsage(100, 20), now.plusSeconds(60))));
        sessions.addActivity(List.of(new SessionStorePort.Activity(instance.id(), SessionId.of("ab"), key, now.truncatedTo(ChronoUnit.HOURS),
                1, new TokenUsage(10, 2), now.plusSeconds(30))));
        SessionRecord ab = sessions.find(instance.id(), SessionId.of("ab")).orElseThrow();
        assertThat(ab.turns()).isEqualTo(3);
        assertThat(ab.usage()).isEqualTo(new TokenUsage(110, 22));
        assertThat(ab.lastUsedAt()).isEqualTo(now.plusSeconds(60));

        List<String> order = new java.util.ArrayList<>();
        Optional<SessionStorePort.SessionCursor> cursor = Optional.empty();
        while (true) {
            List<SessionRecord> page = sessions.list(instance.id(), everySession(), cursor, 3);
            if (page.isEmpty()) {
                break;
            }
            page.forEach(session -> order.add(session.id().value()));
            cursor = Optional.of(new SessionStorePort.SessionCursor(page.getLast().lastUsedAt(), page.getLast().id()));
        }
        assertThat(order).containsExactly("ab", "😀 x", "User-42", "b", "a!b", "a_b", "a%b");
        assertThat(sessions.list(instance.id(), withPrefix("a%"), Optional.empty(), 10)).extracting(s -> s.id().value()).containsExactly("a%b");
        assertThat(sessions.list(instance.id(), withPrefix("a_"), Optional.empty(), 10)).extracting(s -> s.id().value()).containsExactly("a_b");
        assertThat(sessions.list(instance.id(), withPrefix("a!"), Optional.empty(), 10)).extracting(s -> s.id().value()).containsExactly("a!b");

        SessionRecord staleRead = sessions.find(instance.id(), SessionId.of("ab")).orElseThrow();
        sessions.addActivity(List.of(new SessionStorePort.Activity(instance.id(), SessionId.of("ab"), key, now.truncatedTo(ChronoUnit.HOURS),
                1, new TokenUsage(1, 1), now.plusSeconds(61))));
        assertThat(sessions.replaceIfGeneration(staleRead.reset(), 0)).isTrue();
        assertThat(sessions.find(instance.id(), SessionId.of("ab")).orElseThrow().turns()).as("a reset keeps counters written meanwhile")
                .isEqualTo(4);
        assertThat(sessions.replaceIfGeneration(staleRead.delete(), 0)).as("a stale delete loses").isFalse();
        SessionRecord current = sessions.find(instance.id(), SessionId.of("ab")).orElseThrow();
        assertThat(sessions.replaceIfGeneration(current.delete(), 1)).isTrue();
        assertThat(sessions.list(instance.id(), withPrefix("ab"), Optional.empty(), 10)).isEmpty();
        SessionRecord deleted = sessions.find(instance.id(), SessionId.of("ab")).orElseThrow();
        assertThat(sessions.replaceIfGeneration(deleted.revive(now.plusSeconds(70)), 2)).isTrue();
        assertThat(sessions.find(instance.id(), SessionId.of("ab")).orElseThrow()).satisfies(revived -> {
            assertThat(revived.turns()).isZero();
            assertThat(revived.generation()).isEqualTo(2);
            assertThat(revived.deleted()).isFalse();
        });

        var usage = sessions.usage(instance.id(), now.minusSeconds(7200), now.plusSeconds(7200));
        assertThat(usage.turns()).isEqualTo(4);
        assertThat(usage.byKey()).singleElement().satisfies(k -> assertThat(k.usage()).isEqualTo(new TokenUsage(111, 23)));
        assertThat(sessions.usage(instance.id(), now.plusSeconds(7200), now.plusSeconds(9000)).turns()).isZero();
    }

    @Test
    void aListingForAKeyBoundToSessionsReturnsOnlyItsSessionsPageByPage() {
        Organization acme = organization("Acme");
        Instance instance = instance(acme, "bot", now, "t");
        injector.getInstance(SaveInstancePort.class).insertWithinLimit(instance, 0);
        SessionStorePort sessions = injector.getInstance(SessionStorePort.class);
        List<String> ids = List.of("user-42/a", "user-42/b", "user-42/c", "user-420", "user-7/a", "user-7/b", "user-8", "other_%");
        for (int i = 0; i < ids.size(); i++) {
            sessions.insertIfAbsent(SessionRecord.firstUse(instance.id(), SessionId.of(ids.get(i)), now.plusSeconds(i)));
        }
        KeyScope bound = new KeyScope(Map.of(instance.id(), Set.of(Permission.READ)),
                Set.of(SessionId.of("user-7/a"), SessionId.of("user-42/b"), SessionId.of("never-used"), SessionId.of("other_%")),
                Optional.of("user-42/"));

        assertThat(allPages(sessions, instance.id(), SessionStorePort.SessionSelection.forListing(Optional.empty(), bound), 2))
                .containsExactly("other_%", "user-7/a", "user-42/c", "user-42/b", "user-42/a");
        assertThat(allPages(sessions, instance.id(), SessionStorePort.SessionSelection.forListing(Optional.of("user-"), bound), 1))
                .containsExactly("user-7/a", "user-42/c", "user-42/b", "user-42/a");
        assertThat(allPages(sessions, instance.id(), SessionStorePort.SessionSelection.forListing(Optional.of("user-42/c"), bound), 10))
                .containsExactly("user-42/c");
        assertThat(allPages(sessions, instance.id(), SessionStorePort.SessionSelection.forListing(Optional.of("user-7"), bound), 10))
                .containsExactly("user-7/a");
        KeyScope onlyIds = new KeyScope(Map.of(), Set.of(SessionId.of("user-8"), SessionId.of("user-42/a")), Optional.empty());
        assertThat(allPages(sessions, instance.id(), SessionStorePort.SessionSelection.forListing(Optional.empty(), onlyIds), 1))
                .containsExactly("user-8", "user-42/a");
        KeyScope nothingOwned = new KeyScope(Map.of(), Set.of(), Optional.of("nobody/"));
        assertThat(allPages(sessions, instance.id(), SessionStorePort.SessionSelection.forListing(Optional.empty(), nothingOwned), 1))
                .isEmpty();
    }

    private static List<String> allPages(SessionStorePort sessions, InstanceId instance, SessionStorePort.SessionSelection selection, int limit) {
        List<String> seen = new java.util.ArrayList<>();
        Optional<SessionStorePort.SessionCursor> cursor = Optional.empty();
        while (true) {
            List<SessionRecord> page = sessions.list(instance, selection, cursor, limit);
            assertThat(page).hasSizeLessThanOrEqualTo(limit);
            page.forEach(session -> seen.add(session.id().value()));
            if (page.size() < limit) {
                return seen;
            }
            cursor = Optional.of(new SessionStorePort.SessionCursor(page.getLast().lastUsedAt(), page.getLast().id()));
        }
    }

    private static SessionStorePort.SessionSelection everySession() {
        return SessionStorePort.SessionSelection.forListing(Optional.empty(), KeyScope.UNRESTRICTED);
    }

    private static SessionStorePort.SessionSelection withPrefix(String prefix) {
        return SessionStorePort.SessionSelection.forListing(Optional.of(prefix), KeyScope.UNRESTRICTED);
    }

    @Test
    void theStoreIsReadyOnlyWhenMigrated() {
        injector.getInstance(StoreHealthPort.class).requireReady();
        Injector unmigrated = injectorFor(masterKey, emptyDatabaseUrl());
        try {
            assertThatThrownBy(() -> unmigrated.getInstance(StoreHealthPort.class).requireReady()).hasMessage("database migrations are pending");
        } finally {
            unmigrated.getInstance(HikariDataSource.class).close();
            dropDatabase();
        }
    }

    @Test
    void migrationsAreIdempotent() {
        injector.getInstance(DatabaseMigrations.class).migrate();
        assertThat(injector.getInstance(LoadInstancePort.class).listByOrganization(organization("Acme").id())).isEmpty();
    }

    @Test
    void cachesServeRepeatedLookupsUntilAChangeOnAnyNodeDropsThemBeforeItReturns() {
        // The longest lease: "answers from memory" must not depend on the change feed being scheduled within a second.
        CacheConfig patient = new CacheConfig(CacheConfig.DEFAULTS.pollInterval(), CacheConfig.MAX_LEASE, CacheConfig.DEFAULTS.maxApiKeys(),
                CacheConfig.DEFAULTS.maxInstances(), CacheConfig.DEFAULTS.maxSessions());
        Injector nodeA = followingNode(patient);
        Injector nodeB = followingNode(patient);
        try {
            Organization acme = organization("Acme");
            ApiKeySecret secret = ApiKeySecret.generate(ApiKeyKind.ORGANIZATION, RANDOM);
            ApiKey key = ApiKey.issue(acme.id(), "ci", secret, now);
            injector.getInstance(SaveApiKeyPort.class).insert(key);
            Instance instance = instance(acme, "bot", now, "token-secret");
            injector.getInstance(SaveInstancePort.class).insertWithinLimit(instance, 0);
            SessionRecord session = SessionRecord.firstUse(instance.id(), SessionId.of("user-42"), now);
            injector.getInstance(SessionStorePort.class).insertIfAbsent(session);

            LoadApiKeyPort keysOnB = nodeB.getInstance(LoadApiKeyPort.class);
            LoadInstancePort instancesOnB = nodeB.getInstance(LoadInstancePort.class);
            SessionStorePort sessionsOnB = nodeB.getInstance(SessionStorePort.class);
            assertThat(keysOnB.findByHash(secret.hash())).contains(key);
            assertThat(instancesOnB.findById(instance.id())).contains(instance);
            assertThat(sessionsOnB.findCurrent(instance.id(), session.id())).contains(session.session());

            // Rows changed behind the caches' back (no published change) are not seen: node B answers from memory.
            Jdbi jdbi = injector.getInstance(Jdbi.class);
            jdbi.useHandle(handle -> {
                handle.execute("UPDATE api_keys SET name = 'sneaky' WHERE id = ?", key.id().value());
                handle.execute("UPDATE instances SET name = 'sneaky' WHERE id = ?", instance.id().value());
                handle.execute("UPDATE sessions SET generation = 7 WHERE session_id = ?", session.id().value());
            });
            assertThat(keysOnB.findByHash(secret.hash()).orElseThrow().name()).isEqualTo("ci");
            assertThat(instancesOnB.findById(instance.id()).orElseThrow().name()).isEqualTo("bot");
            assertThat(sessionsOnB.findCurrent(instance.id(), session.id()).orElseThrow().generation()).isZero();
            jdbi.useHandle(handle -> handle.execute("UPDATE sessions SET generation = 0 WHERE session_id = ?", session.id().value()));

            // Changes made through node A (or a node that does not serve, like the command line) are seen by B
            // as soon as the write returns: no waiting in between.
            assertThat(nodeA.getInstance(SaveApiKeyPort.class).revoke(key.id())).isTrue();
            assertThat(keysOnB.findByHash(secret.hash()).orElseThrow().active()).isFalse();
            Instance current = nodeA.getInstance(LoadInstancePort.class).findById(instance.id()).orElseThrow();
            Instance stopped = current.stop(now.plusSeconds(1));
            assertThat(nodeA.getInstance(SaveInstancePort.class).updateIfUnchanged(stopped, current)).isTrue();
            assertThat(instancesOnB.findById(instance.id())).contains(stopped);
            assertThat(injector.getInstance(SessionStorePort.class).replaceIfGeneration(session.reset(), 0)).isTrue();
            assertThat(sessionsOnB.findCurrent(instance.id(), session.id()).orElseThrow().generation()).isEqualTo(1);
            assertThat(nodeA.getInstance(SessionStorePort.class).replaceIfGeneration(session.reset().delete(), 1)).isTrue();
            assertThat(sessionsOnB.findCurrent(instance.id(), session.id())).isEmpty();
        } finally {
            stopNode(nodeA);
            stopNode(nodeB);
        }
    }

    @Test
    void aNodeThatStopsFollowingReadsTheDatabaseAndWritersStopWaitingForIt() {
        Injector node = followingNode();
        Organization acme = organization("Acme");
        Instance instance = instance(acme, "bot", now, "t");
        injector.getInstance(SaveInstancePort.class).insertWithinLimit(instance, 0);
        LoadInstancePort instancesOnNode = node.getInstance(LoadInstancePort.class);
        assertThat(instancesOnNode.findById(instance.id())).contains(instance);
        node.getInstance(ChangeFeed.class).stop();
        try {
            injector.getInstance(Jdbi.class).useHandle(handle -> handle.execute("UPDATE instances SET name = 'renamed' WHERE id = ?",
                    instance.id().value()));
            assertThat(instancesOnNode.findById(instance.id()).orElseThrow().name()).isEqualTo("renamed");

            // A node that registered but never confirms (stalled, or killed without deregistering) holds a writer
            // up for at most one lease: by then it no longer trusts its caches.
            injector.getInstance(Jdbi.class).useExtension(ChangeFeedDao.class, dao -> dao.register("stalled-node", 0));
            Instance current = injector.getInstance(LoadInstancePort.class).findById(instance.id()).orElseThrow();
            long started = System.nanoTime();
            assertThat(injector.getInstance(SaveInstancePort.class).updateIfUnchanged(current.stop(now.plusSeconds(1)), current)).isTrue();
            assertThat(java.time.Duration.ofNanos(System.nanoTime() - started))
                    .isGreaterThanOrEqualTo(CacheConfig.DEFAULTS.lease())
                    .isLessThan(java.time.Duration.ofSeconds(10));
        } finally {
            node.getInstance(HikariDataSource.class).close();
        }
    }

    @Test
    void writersWaitForOtherNodesWithoutHoldingAConnection() throws Exception {
        // More concurrent writers than the pool has connections: a writer that kept its transaction's connection while
        // waiting for the other nodes would need a second one to check on them, and all would stall.
        Injector node = followingNode();
        try {
            Organization acme = organization("Acme");
            SaveApiKeyPort keys = injector.getInstance(SaveApiKeyPort.class);
            List<ApiKey> issued = new java.util.ArrayList<>();
            for (int i = 0; i < 8; i++) {
                ApiKey key = ApiKey.issue(acme.id(), "k" + i, ApiKeySecret.generate(ApiKeyKind.ORGANIZATION, RANDOM), now);
                keys.insert(key);
                issued.add(key);
            }
            long started = System.nanoTime();
            try (var writers = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
                List<java.util.concurrent.Future<Boolean>> revoked = issued.stream()
                        .map(key -> writers.submit(() -> keys.revoke(key.id())))
                        .toList();
                for (java.util.concurrent.Future<Boolean> each : revoked) {
                    assertThat(each.get()).isTrue();
                }
            }
            assertThat(java.time.Duration.ofNanos(System.nanoTime() - started)).isLessThan(java.time.Duration.ofSeconds(10));
        } finally {
            stopNode(node);
        }
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
        Injector fresh = injectorFor(masterKey);
        try {
            assertThatThrownBy(() -> fresh.getInstance(ModelKeysPort.class).keyOf(globex.id(), ModelProviderName.OPENAI))
                    .hasMessageContaining("cannot decrypt the openai key of organization " + globex.id()).message().doesNotContain("secret");
        } finally {
            fresh.getInstance(HikariDataSource.class).close();
        }
        keys.change(globex.id(), Map.of(ModelProviderName.OPENAI, Optional.of(new ModelApiKey("sk-globex-openai-secret"))));

        MasterKey next = MasterKey.generate(RANDOM);
        injector.getInstance(MasterKeyRotation.class).rotateTo(next);
        Injector rotated = injectorFor(next);
        Injector old = injectorFor(masterKey);
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
    void oneModelKeySetByTwoRequestsAtOnceIsStoredWithoutFailing() throws Exception {
        Organization acme = organization("Acme");
        ModelKeysPort keys = injector.getInstance(ModelKeysPort.class);
        int writers = 4;
        for (int round = 0; round < 10; round++) {
            keys.change(acme.id(), Map.of(ModelProviderName.OPENAI, Optional.empty()));
            java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(writers);
            List<java.util.concurrent.Future<?>> written = new java.util.ArrayList<>();
            try (var executor = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
                for (int writer = 0; writer < writers; writer++) {
                    String value = "sk-writer-" + writer;
                    written.add(executor.submit(() -> {
                        start.await();
                        keys.change(acme.id(), Map.of(ModelProviderName.OPENAI, Optional.of(new ModelApiKey(value))));
                        return null;
                    }));
                }
                for (var result : written) {
                    result.get();
                }
            }
            assertThat(keys.keyOf(acme.id(), ModelProviderName.OPENAI)).map(ModelApiKey::value).hasValueSatisfying(value ->
                    assertThat(value).startsWith("sk-writer-"));
        }
    }

    @Test
    void plansAndLimitsRoundTripAndAChangeOnOneNodeHoldsOnTheOtherOnceItReturns() {
        Injector other = followingNode();
        try {
            Organization acme = organization("Acme");
            ApiKey key = ApiKey.issue(acme.id(), "k", ApiKeySecret.generate(ApiKeyKind.ORGANIZATION, RANDOM), LIMITS_NOW);
            injector.getInstance(SaveApiKeyPort.class).insert(key);
            Instance instance = Instance.register(acme.id(), "bot", GatewayUrl.of("http://127.0.0.1:1"), new GatewayToken("t"),
                    InstanceSettings.NONE, LIMITS_NOW);
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
        onTwoNodes((one, two) -> {
            assertThat(one.takeRequest("org:a", 3, 1)).isEmpty();
            assertThat(two.takeRequest("org:a", 3, 1)).isEmpty();
            assertThat(one.takeRequest("org:a", 3, 1)).isEmpty();
            assertThat(two.takeRequest("org:a", 3, 1)).hasValueSatisfying(wait ->
                    assertThat(wait).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(20)));
            one.returnRequest("org:a", 3, 1);
            assertThat(two.takeRequest("org:a", 3, 1)).isEmpty();
            assertThat(one.takeRequest("org:b", 3, 1)).isEmpty();

            assertThat(one.tokensSpent("key:k", TokenWindow.DAY, 100, LIMITS_NOW)).isEmpty();
            one.spendTokens("key:k", TokenWindow.DAY, 90, LIMITS_NOW);
            assertThat(two.tokensSpent("key:k", TokenWindow.DAY, 100, LIMITS_NOW)).isEmpty();
            two.spendTokens("key:k", TokenWindow.DAY, 20, LIMITS_NOW);
            // 110 of 100: spent until midnight UTC, two hours away.
            assertThat(one.tokensSpent("key:k", TokenWindow.DAY, 100, LIMITS_NOW)).hasValue(Duration.ofHours(2));
            // The next day is a new window; the month holds both days.
            assertThat(one.tokensSpent("key:k", TokenWindow.DAY, 100, LIMITS_NOW.plus(Duration.ofHours(3)))).isEmpty();
            one.spendTokens("key:k", TokenWindow.MONTH, 110, LIMITS_NOW);
            two.spendTokens("key:k", TokenWindow.MONTH, 50, LIMITS_NOW.plus(Duration.ofHours(3)));
            assertThat(one.tokensSpent("key:k", TokenWindow.MONTH, 150, LIMITS_NOW.plus(Duration.ofHours(3))))
                    .hasValue(Duration.between(LIMITS_NOW.plus(Duration.ofHours(3)), Instant.parse("2027-01-01T00:00:00Z")));

            // A raised budget counts what was already spent; so does a lowered one.
            assertThat(two.tokensSpent("key:k", TokenWindow.DAY, 200, LIMITS_NOW)).isEmpty();
            two.spendTokens("key:k", TokenWindow.DAY, 90, LIMITS_NOW);
            assertThat(one.tokensSpent("key:k", TokenWindow.DAY, 200, LIMITS_NOW)).isPresent();
            assertThat(one.tokensSpent("key:j", TokenWindow.DAY, 100, LIMITS_NOW)).isEmpty();
            one.spendTokens("key:j", TokenWindow.DAY, 40, LIMITS_NOW);
            assertThat(two.tokensSpent("key:j", TokenWindow.DAY, 40, LIMITS_NOW)).isPresent();
            assertThat(two.tokensSpent("key:j", TokenWindow.DAY, 100, LIMITS_NOW)).isEmpty();

            // A raised rate (a newer version of its setting) reaches an allowance that runs, keeping what was taken.
            assertThat(one.takeRequest("key:r", 2, 1)).isEmpty();
            assertThat(one.takeRequest("key:r", 2, 1)).isEmpty();
            assertThat(two.takeRequest("key:r", 2, 1)).isPresent();
            assertThat(two.takeRequest("key:r", 4, 2)).isEmpty();
            assertThat(one.takeRequest("key:r", 4, 2)).isEmpty();
            assertThat(one.takeRequest("key:r", 4, 2)).isPresent();
        });
    }

    @Test
    void aReservationCountsAsSpentUntilItIsSettledInTheWindowItWasMadeIn() {
        onTwoNodes((one, two) -> {
            assertThat(one.reserveTokens("org:r", TokenWindow.DAY, 100, 60, LIMITS_NOW)).isEmpty();
            // Reservations of calls still running count, on every node: 60 of 100 is not spent, 120 is.
            assertThat(two.reserveTokens("org:r", TokenWindow.DAY, 100, 60, LIMITS_NOW)).isEmpty();
            assertThat(one.reserveTokens("org:r", TokenWindow.DAY, 100, 60, LIMITS_NOW)).hasValue(Duration.ofHours(2));
            // A call that used less gives the rest back; one that used more is charged the difference.
            two.settleTokens("org:r", TokenWindow.DAY, 60, 10, LIMITS_NOW);
            assertThat(one.tokensSpent("org:r", TokenWindow.DAY, 71, LIMITS_NOW)).isEmpty();
            assertThat(one.tokensSpent("org:r", TokenWindow.DAY, 70, LIMITS_NOW)).isPresent();
            one.settleTokens("org:r", TokenWindow.DAY, 60, 200, LIMITS_NOW);
            assertThat(two.tokensSpent("org:r", TokenWindow.DAY, 210, LIMITS_NOW)).isPresent();
            assertThat(two.tokensSpent("org:r", TokenWindow.DAY, 211, LIMITS_NOW)).isEmpty();

            // Settled after midnight, a call made before it is settled in the day it was made in.
            Instant afterMidnight = LIMITS_NOW.plus(Duration.ofHours(3));
            assertThat(one.reserveTokens("org:m", TokenWindow.DAY, 1_000, 500, LIMITS_NOW)).isEmpty();
            one.settleTokens("org:m", TokenWindow.DAY, 500, 0, LIMITS_NOW);
            assertThat(one.tokensSpent("org:m", TokenWindow.DAY, 1, LIMITS_NOW)).isEmpty();
            assertThat(one.reserveTokens("org:m", TokenWindow.DAY, 1_000, 500, LIMITS_NOW)).isEmpty();
            one.settleTokens("org:m", TokenWindow.DAY, 500, 900, LIMITS_NOW);
            assertThat(one.tokensSpent("org:m", TokenWindow.DAY, 900, LIMITS_NOW)).isPresent();
            assertThat(one.tokensSpent("org:m", TokenWindow.DAY, 1, afterMidnight)).isEmpty();
            // What is given back never takes a counter below nothing spent.
            one.settleTokens("org:n", TokenWindow.MONTH, 1_000, 0, LIMITS_NOW);
            one.spendTokens("org:n", TokenWindow.MONTH, 1, LIMITS_NOW);
            assertThat(one.tokensSpent("org:n", TokenWindow.MONTH, 1, LIMITS_NOW)).isPresent();
        });
    }

    /** Runs {@code test} with the counters of this node and of a second one on the same database. */
    private void onTwoNodes(java.util.function.BiConsumer<LimitCounterPort, LimitCounterPort> test) {
        Injector other = injectorFor(masterKey);
        try {
            test.accept(injector.getInstance(LimitCounterPort.class), other.getInstance(LimitCounterPort.class));
        } finally {
            other.getInstance(HikariDataSource.class).close();
        }
    }

    @Test
    void reservationsMadeAtOnceOnOneNodeNeverPassTheBudgetTogether() throws Exception {
        LimitCounterPort counters = injector.getInstance(LimitCounterPort.class);
        int callers = 16;
        java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(callers);
        List<java.util.concurrent.Future<Boolean>> reserved = new java.util.ArrayList<>();
        try (var executor = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < callers; i++) {
                reserved.add(executor.submit(() -> {
                    start.await();
                    return counters.reserveTokens("org:c", TokenWindow.DAY, 100, 30, LIMITS_NOW).isEmpty();
                }));
            }
            long passed = 0;
            for (var result : reserved) {
                passed += result.get() ? 1 : 0;
            }
            // 0, 30, 60 and 90 spent are under 100; 120 is not: four, whatever the order.
            assertThat(passed).isEqualTo(4);
        }
        assertThat(counters.tokensSpent("org:c", TokenWindow.DAY, 120, LIMITS_NOW)).isPresent();
        assertThat(counters.tokensSpent("org:c", TokenWindow.DAY, 121, LIMITS_NOW)).isEmpty();
    }

    @Test
    void anIdleSubjectsRateCounterExpiresADayAfterItsLastRequest() {
        LimitCounterPort counters = injector.getInstance(LimitCounterPort.class);
        long before = System.currentTimeMillis();
        counters.takeRequest("session:idle", 60, 1);
        counters.takeRequest("session:idle", 60, 1);
        long expiresAt = injector.getInstance(Jdbi.class).withHandle(handle -> handle.createQuery(
                "SELECT expires_at FROM limit_counters WHERE id = 'rpm:session:idle'").mapTo(Long.class).one());

        // Refilled to full within the minute, then kept a day: the hourly purge then removes it.
        assertThat(expiresAt).isBetween(before + Duration.ofDays(1).toMillis(),
                System.currentTimeMillis() + Duration.ofDays(1).plusMinutes(2).toMillis());
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
                InstanceSettings.NONE, LIMITS_NOW);
        ModelUsagePort usage = injector.getInstance(ModelUsagePort.class);
        Instant hour = LIMITS_NOW.truncatedTo(ChronoUnit.HOURS);
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

    /** Another node on the same database, following the change log as a serving node does. */
    private Injector followingNode() {
        return followingNode(CacheConfig.DEFAULTS);
    }

    private Injector followingNode(CacheConfig caches) {
        Injector node = Guice.createInjector(new PersistenceModule(new PersistenceConfig(jdbcUrl(), user(), "", 4, masterKey), caches));
        node.getInstance(ChangeFeed.class).start();
        return node;
    }

    private static void stopNode(Injector node) {
        node.getInstance(ChangeFeed.class).stop();
        node.getInstance(HikariDataSource.class).close();
    }

    private Injector injectorFor(MasterKey key) {
        return injectorFor(key, jdbcUrl());
    }

    private Injector injectorFor(MasterKey key, String url) {
        return Guice.createInjector(new PersistenceModule(new PersistenceConfig(url, user(), "", 4, key)));
    }

    private Organization organization(String name) {
        Organization organization = Organization.create(name, now);
        injector.getInstance(SaveOrganizationPort.class).insertWithKey(organization,
                ApiKey.issue(organization.id(), "default", ApiKeySecret.generate(ApiKeyKind.ORGANIZATION, RANDOM), now));
        return organization;
    }

    private static Instance instance(Organization organization, String name, Instant createdAt, String token) {
        return Instance.register(organization.id(), name, GatewayUrl.of("http://127.0.0.1:18789"), new GatewayToken(token),
                new InstanceSettings(Optional.of("anthropic"), Optional.of("{\"agents\":{\"x\":1}}"), Optional.of("eu-west")), createdAt);
    }

    /** An instance of {@code organization}, stored. */
    private Instance stored(Organization organization, String name, String token) {
        Instance instance = instance(organization, name, now, token);
        injector.getInstance(SaveInstancePort.class).insertWithinLimit(instance, 0);
        return instance;
    }

    /** Every value of every row of every table, as text, to search for secrets. */
    private List<String> everyStoredValue() {
        Jdbi jdbi = injector.getInstance(Jdbi.class);
        return jdbi.withHandle(handle -> List.of("organizations", "api_keys", "api_key_instances", "instances").stream()
                .flatMap(table -> handle.createQuery("SELECT * FROM " + table).mapToMap().list().stream())
                .flatMap((Map<String, Object> row) -> row.values().stream())
                .map(String::valueOf)
                .toList());
    }
}
