package chowder.adapter.persistence;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Finds out, without creating anything, whether a JDBC URL leads to a Chowder store, so that commands which must
 * never create one can refuse instead. Blocking; opens and closes one connection.
 */
public final class ExistingStore {
    /** What the URL leads to. */
    public enum State {
        /** No database (H2: no file; PostgreSQL: no such database). */
        NO_DATABASE,
        /** A database without Chowder's tables (never migrated), in the schema the URL selects. */
        EMPTY,
        /** A database with Chowder's tables. */
        INITIALIZED
    }

    private static final String ORGANIZATIONS_TABLE = """
            SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = CURRENT_SCHEMA AND LOWER(table_name) = 'organizations'
            """;

    private ExistingStore() {}

    /** @throws IllegalStateException with the driver's reason when the database exists but cannot be opened (a wrong password, say) */
    public static State inspect(String jdbcUrl, String user, String password) {
        Database database = Database.of(jdbcUrl);
        try (Connection connection = DriverManager.getConnection(database.existingOnly(jdbcUrl), user, password);
                PreparedStatement query = connection.prepareStatement(ORGANIZATIONS_TABLE);
                ResultSet tables = query.executeQuery()) {
            return tables.next() && tables.getLong(1) > 0 ? State.INITIALIZED : State.EMPTY;
        } catch (SQLException e) {
            if (database.isMissing(e)) {
                return State.NO_DATABASE;
            }
            throw new IllegalStateException(e.getMessage(), e);
        }
    }
}
