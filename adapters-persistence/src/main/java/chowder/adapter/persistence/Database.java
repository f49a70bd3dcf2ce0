package chowder.adapter.persistence;

import java.sql.SQLException;

/** The databases Chowder runs on, each with its own folder of vendor-specific migrations. */
public enum Database {
    H2("jdbc:h2:", "h2"),
    POSTGRESQL("jdbc:postgresql:", "postgresql");

    private final String urlPrefix;
    private final String migrationFolder;

    Database(String urlPrefix, String migrationFolder) {
        this.urlPrefix = urlPrefix;
        this.migrationFolder = migrationFolder;
    }

    public static Database of(String jdbcUrl) {
        for (Database database : values()) {
            if (jdbcUrl.startsWith(database.urlPrefix)) {
                return database;
            }
        }
        throw new IllegalArgumentException("unsupported database URL (use jdbc:h2:... or jdbc:postgresql:...)");
    }

    /**
     * The URL that opens the database only if it exists: H2 would otherwise create an empty one (PostgreSQL never
     * creates a database on connection).
     */
    public String existingOnly(String jdbcUrl) {
        return this == H2 ? jdbcUrl.replaceAll("(?i);IFEXISTS=[^;]*", "") + ";IFEXISTS=TRUE" : jdbcUrl;
    }

    /** Whether a failure to connect says that the database does not exist. */
    boolean isMissing(SQLException failure) {
        return switch (this) {
            // DATABASE_NOT_FOUND_WITH_IF_EXISTS_1 (IFEXISTS=TRUE), DATABASE_NOT_FOUND_1
            case H2 -> failure.getErrorCode() == 90146 || failure.getErrorCode() == 90013;
            // invalid_catalog_name: the database named in the URL does not exist
            case POSTGRESQL -> "3D000".equals(failure.getSQLState());
        };
    }

    /** Flyway locations: the portable migrations, then this database's own. */
    String[] migrationLocations() {
        return new String[] {"classpath:db/migration/common", "classpath:db/migration/" + migrationFolder};
    }
}
