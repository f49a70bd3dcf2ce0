package chowder.application.planted;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/** A planted violation for {@code ArchitectureRulesFailTest}: application code opening a database connection. */
public final class ServiceOpeningAConnection {
    Connection open(String url) throws SQLException {
        return DriverManager.getConnection(url);
    }
}
