package chowder.adapter.persistence;

import static java.util.Objects.requireNonNull;

import chowder.application.port.out.LoadApiKeyPort;
import chowder.application.port.out.LoadInstancePort;
import chowder.application.port.out.LoadOrganizationPort;
import chowder.application.port.out.SaveApiKeyPort;
import chowder.application.port.out.SaveInstancePort;
import chowder.application.port.out.SaveOrganizationPort;
import chowder.application.port.out.SessionStorePort;
import chowder.application.port.out.StoreHealthPort;
import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.security.SecureRandom;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.sqlobject.SqlObjectPlugin;

/** Binds the store ports to Jdbi repositories over a HikariCP pool; the pool is closed by the caller's lifecycle. */
public final class PersistenceModule extends AbstractModule {
    private final PersistenceConfig config;

    public PersistenceModule(PersistenceConfig config) {
        this.config = requireNonNull(config, "config is null");
    }

    @Provides
    @Singleton
    HikariDataSource dataSource() {
        HikariConfig hikari = new HikariConfig();
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

    @Provides
    @Singleton
    static JdbiApiKeyRepository apiKeys(Jdbi jdbi) {
        return new JdbiApiKeyRepository(jdbi);
    }

    @Provides
    @Singleton
    JdbiInstanceRepository instances(Jdbi jdbi) {
        return new JdbiInstanceRepository(jdbi, new GatewayTokenCipher(config.masterKey(), new SecureRandom()));
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
    StoreHealthPort storeHealth(Jdbi jdbi, HikariDataSource dataSource) {
        return new JdbiStoreHealth(jdbi, dataSource, config.database());
    }

    @Provides
    @Singleton
    static SessionStorePort sessions(Jdbi jdbi) {
        return new JdbiSessionStore(jdbi);
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
