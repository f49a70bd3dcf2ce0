package chowder.adapter.persistence;

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

    /** Flyway locations: the portable migrations, then this database's own. */
    String[] migrationLocations() {
        return new String[] {"classpath:db/migration/common", "classpath:db/migration/" + migrationFolder};
    }
}
