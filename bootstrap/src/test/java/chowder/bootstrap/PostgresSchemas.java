package chowder.bootstrap;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Schemas of their own on the real PostgreSQL (127.0.0.1:5432, user postgres, database test), dropped on close. */
final class PostgresSchemas implements AutoCloseable {
    static final String SERVER = System.getenv().getOrDefault("CHOWDER_TEST_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:5432/test");

    private final List<String> created = new ArrayList<>();

    /** A new, empty schema; returns its name. */
    String create() {
        String schema = "chowder_cli_" + UUID.randomUUID().toString().replace("-", "");
        execute("CREATE SCHEMA " + schema);
        created.add(schema);
        return schema;
    }

    @Override
    public void close() {
        created.forEach(schema -> execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE"));
    }

    static void execute(String sql) {
        try (Connection connection = DriverManager.getConnection(SERVER, "postgres", "")) {
            connection.createStatement().execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL at " + SERVER + " is needed for this test: " + e.getMessage(), e);
        }
    }
}
