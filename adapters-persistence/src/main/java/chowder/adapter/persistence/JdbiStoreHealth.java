package chowder.adapter.persistence;

import static java.util.Objects.requireNonNull;

import chowder.application.port.out.StoreHealthPort;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;

/**
 * Readiness of the database: a trivial query answers, no Flyway migration is pending or failed, and this node's
 * master key still opens the database's check value (another process may have rotated it).
 */
final class JdbiStoreHealth implements StoreHealthPort {
    private final Jdbi jdbi;
    private final DataSource dataSource;
    private final Database database;
    private final MasterKeyVerification masterKey;

    JdbiStoreHealth(Jdbi jdbi, DataSource dataSource, Database database, MasterKeyVerification masterKey) {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
        this.dataSource = requireNonNull(dataSource, "dataSource is null");
        this.database = requireNonNull(database, "database is null");
        this.masterKey = requireNonNull(masterKey, "masterKey is null");
    }

    @Override
    public void requireReady() {
        try {
            jdbi.withHandle(handle -> handle.createQuery("SELECT 1").mapTo(Integer.class).one());
        } catch (RuntimeException e) {
            throw new IllegalStateException("the database is unreachable");
        }
        var info = Flyway.configure().dataSource(dataSource).locations(database.migrationLocations()).failOnMissingLocations(false).load().info();
        if (info.pending().length > 0) {
            throw new IllegalStateException("database migrations are pending");
        }
        if (!masterKey.stillMatches()) {
            throw new IllegalStateException("the database's master key changed (another process rotated it): this node's key no longer "
                    + "decrypts the gateway tokens; restart it with the new key");
        }
    }
}
