package chowder.adapter.persistence;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.UUID;

/**
 * A schema of its own on the real PostgreSQL on 127.0.0.1:5432 (user postgres, database test), so that concurrent runs
 * never collide.
 */
final class PostgresDatabase implements TestDatabase {
    static final String SERVER = System.getenv().getOrDefault("CHOWDER_TEST_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:5432/test");
    private final String schema = "chowder_test_" + UUID.randomUUID().toString().replace("-", "");

    @Override
    public String jdbcUrl() {
        execute("CREATE SCHEMA IF NOT EXISTS " + schema);
        return SERVER + "?currentSchema=" + schema;
    }

    @Override
    public String user() {
        return "postgres";
    }

    @Override
    public String emptyDatabaseUrl() {
        execute("CREATE SCHEMA IF NOT EXISTS " + schema + "_empty");
        return SERVER + "?currentSchema=" + schema + "_empty";
    }

    @Override
    public void drop() {
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
