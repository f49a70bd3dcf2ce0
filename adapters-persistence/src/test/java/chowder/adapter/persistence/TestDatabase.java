package chowder.adapter.persistence;

/** A fresh, empty database (or schema) for one test, and a second one that is never migrated. */
interface TestDatabase {
    String jdbcUrl();

    String user();

    /** Another fresh, empty database (or schema), never migrated; removed by {@link #drop()}. */
    String emptyDatabaseUrl();

    /** Removes both, once every connection to them is closed. */
    void drop();
}
