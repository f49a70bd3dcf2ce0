package chowder.adapter.persistence;

import java.util.UUID;

/** The contract on the real PostgreSQL, in a schema of its own per test (see {@link PostgresStoreTest}). */
class PostgresModelKeysAndLimitsTest extends ModelKeysAndLimitsContractTest {
    private final String schema = "chowder_test_" + UUID.randomUUID().toString().replace("-", "");

    @Override
    protected String jdbcUrl() {
        PostgresStoreTest.execute("CREATE SCHEMA IF NOT EXISTS " + schema);
        return PostgresStoreTest.SERVER + "?currentSchema=" + schema;
    }

    @Override
    protected String user() {
        return "postgres";
    }

    @Override
    protected void dropDatabase() {
        PostgresStoreTest.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }
}
