package chowder.adapter.persistence;

import static java.util.Objects.requireNonNull;

import chowder.application.port.out.ChannelSettingsPort;
import chowder.application.port.out.LimitCounterPort;
import chowder.application.port.out.LimitSettingsPort;
import chowder.application.port.out.LoadApiKeyPort;
import chowder.application.port.out.LoadInstancePort;
import chowder.application.port.out.LoadOrganizationPort;
import chowder.application.port.out.ModelKeysPort;
import chowder.application.port.out.ModelUsagePort;
import chowder.application.port.out.SaveApiKeyPort;
import chowder.application.port.out.SaveInstancePort;
import chowder.application.port.out.SaveOrganizationPort;
import chowder.application.port.out.SessionStorePort;
import chowder.application.port.out.SkillSettingsPort;
import chowder.application.port.out.StoreHealthPort;
import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.OptionalBinder;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import io.micrometer.core.instrument.MeterRegistry;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Optional;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.sqlobject.SqlObjectPlugin;

/** Binds the store ports to Jdbi repositories over a HikariCP pool; the pool is closed by the caller's lifecycle. */
public final class PersistenceModule extends AbstractModule {
    private final PersistenceConfig config;
    private final CacheConfig caches;

    public PersistenceModule(PersistenceConfig config) {
        this(config, CacheConfig.DEFAULTS);
    }

    public PersistenceModule(PersistenceConfig config, CacheConfig caches) {
        this.config = requireNonNull(config, "config is null");
        this.caches = requireNonNull(caches, "caches is null");
    }

    @Override
    protected void configure() {
        // Metrics when the application has a registry (a serving node); tests and tools run without one.
        OptionalBinder.newOptionalBinder(binder(), MeterRegistry.class);
    }

    @Provides
    @Singleton
    HikariDataSource dataSource(Optional<MeterRegistry> meters) {
        HikariConfig hikari = new HikariConfig();
        meters.ifPresent(registry -> hikari.setMetricsTrackerFactory(new MicrometerMetricsTrackerFactory(registry)));
        hikari.setPoolName("chowder-db");
        hikari.setJdbcUrl(config.jdbcUrl());
        hikari.setUsername(config.user());
        hikari.setPassword(config.password());
        hikari.setMaximumPoolSize(config.maxPoolSize());
        return new HikariDataSource(hikari);
    }

    @Provides
    @Singleton
    static Jdbi jdbi(HikariDataSource dataSource) {
        return Jdbi.create((DataSource) dataSource).installPlugin(new SqlObjectPlugin());
    }

    @Provides
    @Singleton
    DatabaseMigrations migrations(HikariDataSource dataSource) {
        return new DatabaseMigrations(dataSource, config.database());
    }

    /** Follows the change log so that this node's caches stay coherent; started and stopped by a serving node's lifecycle. */
    @Provides
    @Singleton
    ChangeFeed changeFeed(Jdbi jdbi, Optional<MeterRegistry> meters) {
        return new ChangeFeed(jdbi, config, caches, meters);
    }

    @Provides
    @Singleton
    JdbiApiKeyRepository apiKeys(Jdbi jdbi, ChangeFeed changes) {
        return new JdbiApiKeyRepository(jdbi, changes, caches.maxApiKeys());
    }

    @Provides
    @Singleton
    JdbiInstanceRepository instances(Jdbi jdbi, ChangeFeed changes) {
        return new JdbiInstanceRepository(jdbi, new GatewayTokenCipher(config.masterKey(), new SecureRandom()), changes,
                caches.maxInstances());
    }

    @Provides
    @Singleton
    static JdbiOrganizationRepository organizations(Jdbi jdbi) {
        return new JdbiOrganizationRepository(jdbi);
    }

    @Provides
    static SaveOrganizationPort saveOrganizations(JdbiOrganizationRepository repository) {
        return repository;
    }

    @Provides
    static LoadOrganizationPort loadOrganizations(JdbiOrganizationRepository repository) {
        return repository;
    }

    @Provides
    static SaveApiKeyPort saveApiKeys(JdbiApiKeyRepository repository) {
        return repository;
    }

    @Provides
    @Singleton
    MasterKeyRotation masterKeyRotation(Jdbi jdbi) {
        return new MasterKeyRotation(jdbi, config);
    }

    @Provides
    @Singleton
    MasterKeyVerification masterKeyVerification(Jdbi jdbi) {
        return new MasterKeyVerification(jdbi, config.masterKey());
    }

    @Provides
    @Singleton
    StoreHealthPort storeHealth(Jdbi jdbi, HikariDataSource dataSource, MasterKeyVerification masterKey) {
        return new JdbiStoreHealth(jdbi, dataSource, config.database(), masterKey);
    }

    @Provides
    @Singleton
    SessionStorePort sessions(Jdbi jdbi, ChangeFeed changes) {
        return new JdbiSessionStore(jdbi, changes, caches.maxSessions());
    }

    @Provides
    @Singleton
    SkillSettingsPort skillSettings(Jdbi jdbi) {
        return new JdbiSkillSettingsStore(jdbi, new SkillSettingsCipher(config.masterKey(), new SecureRandom()));
    }

    @Provides
    @Singleton
    ChannelSettingsPort channelSettings(Jdbi jdbi) {
        return new JdbiChannelSettingsStore(jdbi, new ChannelSettingsCipher(config.masterKey(), new SecureRandom()));
    }

    @Provides
    @Singleton
    ModelKeysPort modelKeys(Jdbi jdbi, ChangeFeed changes) {
        // Organizations, not keys, are what is cached: as many entries as API keys is ample.
        return new JdbiModelKeyStore(jdbi, changes, new ModelKeyCipher(config.masterKey(), new SecureRandom()), caches.maxApiKeys());
    }

    @Provides
    @Singleton
    LimitSettingsPort limitSettings(Jdbi jdbi, ChangeFeed changes) {
        return new JdbiLimitSettings(jdbi, changes, Clock.systemUTC(), caches.maxApiKeys());
    }

    @Provides
    @Singleton
    LimitCounterPort limitCounters(HikariDataSource dataSource) {
        return Bucket4jLimitCounters.on(config.database(), dataSource);
    }

    @Provides
    @Singleton
    static ModelUsagePort modelUsage(Jdbi jdbi) {
        return new JdbiModelUsageStore(jdbi);
    }

    @Provides
    static LoadApiKeyPort loadApiKeys(JdbiApiKeyRepository repository) {
        return repository;
    }

    @Provides
    static LoadInstancePort loadInstances(JdbiInstanceRepository repository) {
        return repository;
    }

    @Provides
    static SaveInstancePort saveInstances(JdbiInstanceRepository repository) {
        return repository;
    }
}
