package chowder.adapter.persistence;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.UUID;

/**
 * Runs the contract against the real PostgreSQL on 127.0.0.1:5432 (user postgres, database test),
 * each test in a schema of its own so that concurrent runs never collide.
 */
class PostgresStoreTest extends StoreContractTest {
    static final String SERVER = System.getenv().getOrDefault("CHOWDER_TEST_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:5432/test");
    private final String schema = "chowder_test_" + UUID.randomUUID().toString().replace("-", "");

    @Override
    protected String jdbcUrl() {
        execute("CREATE SCHEMA IF NOT EXISTS " + schema);
        return SERVER + "?currentSchema=" + schema;
    }

    @Override
    protected String emptyDatabaseUrl() {
        execute("CREATE SCHEMA IF NOT EXISTS " + schema + "_empty");
        return SERVER + "?currentSchema=" + schema + "_empty";
    }

    @Override
    protected String user() {
        return "postgres";
    }

    @Override
    protected void dropDatabase() {
        execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        execute("DROP SCHEMA IF EXISTS " + schema + "_empty CASCADE");
    }

    private static void execute(String sql) {
        try (Connection connection = DriverManager.getConnection(SERVER, "postgres", "")) {
            connection.createStatement().execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL at " + SERVER + " is needed for this test: " + e.getMessage(), e);
        }
    }
}
