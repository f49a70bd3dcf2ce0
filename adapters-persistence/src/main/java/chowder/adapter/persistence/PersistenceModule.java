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
import com.google.common.util.concurrent.AbstractIdleService;
import com.google.common.util.concurrent.Service;
import com.google.inject.AbstractModule;
import com.google.inject.Key;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.TypeLiteral;
import com.google.inject.multibindings.OptionalBinder;
import com.google.inject.multibindings.ProvidesIntoSet;
import com.google.inject.name.Named;
import com.google.inject.name.Names;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import io.micrometer.core.instrument.MeterRegistry;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.sqlobject.SqlObjectPlugin;

/**
 * Binds the store ports to Jdbi repositories over a HikariCP pool, and contributes what the caller starts and stops:
 * {@link #STORE} (migrations, then the pool closed at the end) for anything that opens the store, {@link #SERVING} (the
 * change feed that keeps a serving node's caches coherent) for a server.
 */
public final class PersistenceModule extends AbstractModule {
    /** Started first and stopped last by anything that uses the store: a command or a server. */
    public static final Key<Set<Service>> STORE = Key.get(new TypeLiteral<>() { }, Names.named(PersistenceModule.STORE_NAME));
    /** Started by a serving node once the store is open. */
    public static final Key<Set<Service>> SERVING = Key.get(new TypeLiteral<>() { }, Names.named(PersistenceModule.SERVING_NAME));
    private static final String STORE_NAME = "chowder.persistence.store";
    private static final String SERVING_NAME = "chowder.persistence.serving";

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
        bind(SaveOrganizationPort.class).to(JdbiOrganizationRepository.class);
        bind(LoadOrganizationPort.class).to(JdbiOrganizationRepository.class);
        bind(SaveApiKeyPort.class).to(JdbiApiKeyRepository.class);
        bind(LoadApiKeyPort.class).to(JdbiApiKeyRepository.class);
        bind(LoadInstancePort.class).to(JdbiInstanceRepository.class);
        bind(SaveInstancePort.class).to(JdbiInstanceRepository.class);
    }

    @ProvidesIntoSet
    @Singleton
    @Named(STORE_NAME)
    static Service database(DatabaseMigrations migrations, HikariDataSource dataSource) {
        return new AbstractIdleService() {
            @Override
            protected void startUp() {
                migrations.migrate();
            }

            @Override
            protected void shutDown() {
                dataSource.close();
            }

            @Override
            protected String serviceName() {
                return "database";
            }
        };
    }

    @ProvidesIntoSet
    @Singleton
    @Named(SERVING_NAME)
    static Service changeFeedService(ChangeFeed changes) {
        return new AbstractIdleService() {
            @Override
            protected void startUp() {
                changes.start();
            }

            @Override
            protected void shutDown() {
                changes.stop();
            }

            @Override
            protected String serviceName() {
                return "change-feed";
            }
        };
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
    JdbiOrganizationRepository organizations(Jdbi jdbi, ChangeFeed changes) {
        // As many organizations as API keys is ample.
        return new JdbiOrganizationRepository(jdbi, changes, caches.maxApiKeys());
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



}
