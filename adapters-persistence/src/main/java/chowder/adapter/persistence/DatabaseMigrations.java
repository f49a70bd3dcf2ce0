package chowder.adapter.persistence;

import static java.util.Objects.requireNonNull;

import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/** Brings the schema up to date with Flyway: the portable migrations plus the database's own. */
public final class DatabaseMigrations {
    private final DataSource dataSource;
    private final Database database;

    DatabaseMigrations(DataSource dataSource, Database database) {
        this.dataSource = requireNonNull(dataSource, "dataSource is null");
        this.database = requireNonNull(database, "database is null");
    }

    /** Applies pending migrations; safe to run on every start and from several nodes (Flyway locks). */
    public void migrate() {
        Flyway.configure()
                .dataSource(dataSource)
                .locations(database.migrationLocations())
                .failOnMissingLocations(false)
                .load()
                .migrate();
    }
}
