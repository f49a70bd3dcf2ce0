package chowder.adapter.persistence;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Locale;
import org.h2.engine.SysProperties;

/**
 * What other local users can reach of an embedded H2 database. In AUTO_SERVER mode the first process to open the
 * file serves it to the others (the commands) over TCP and writes that server's address and key into the lock file;
 * by default H2 listens on every interface and its database user {@code sa} has an empty password. This keeps the
 * server on loopback and the database behind a password. Blocking; not for PostgreSQL.
 */
public final class EmbeddedH2 {
    static final String BIND_ADDRESS_PROPERTY = "h2.bindAddress";
    private static final int WRONG_USER_OR_PASSWORD = 28000;

    private EmbeddedH2() {}

    /**
     * Makes H2's servers in this JVM listen on 127.0.0.1 only. Call it before the JVM opens any H2 database: H2 reads
     * the setting once.
     *
     * @throws IllegalStateException when H2 already read another setting, or was told to listen beyond loopback
     */
    public static void listenOnLoopbackOnly() {
        if (System.getProperty(BIND_ADDRESS_PROPERTY) == null) {
            System.setProperty(BIND_ADDRESS_PROPERTY, "127.0.0.1");
        }
        String bound = SysProperties.BIND_ADDRESS;
        if (bound == null || bound.isBlank()) {
            throw new IllegalStateException("H2 was loaded before " + BIND_ADDRESS_PROPERTY + " was set, so the database server would listen"
                    + " on every interface; start the JVM with -D" + BIND_ADDRESS_PROPERTY + "=127.0.0.1");
        }
        if (!isLoopback(bound)) {
            throw new IllegalStateException(BIND_ADDRESS_PROPERTY + "=" + bound + " would let other hosts reach the database server;"
                    + " remove it or set it to 127.0.0.1");
        }
    }

    /**
     * Opens the database with {@code password}, first setting it on a database that still has an empty one (made
     * before Chowder gave it a password). A database that does not exist yet is created with it.
     *
     * @return whether the password was set now
     * @throws IllegalStateException when the database accepts neither {@code password} nor an empty one, or cannot be opened
     */
    public static boolean adoptPassword(String jdbcUrl, String user, String password) {
        try (Connection ignored = DriverManager.getConnection(jdbcUrl, user, password)) {
            return false;
        } catch (SQLException e) {
            if (e.getErrorCode() != WRONG_USER_OR_PASSWORD || password.isEmpty()) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        }
        try (Connection connection = DriverManager.getConnection(jdbcUrl, user, "");
                PreparedStatement alter = connection.prepareStatement("ALTER USER " + quoted(user) + " SET PASSWORD ?")) {
            alter.setString(1, password);
            alter.execute();
            return true;
        } catch (SQLException e) {
            if (e.getErrorCode() == WRONG_USER_OR_PASSWORD) {
                throw new IllegalStateException("the database accepts neither its configured password nor an empty one", e);
            }
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** H2 upper-cases user names it is given in a connection. */
    private static String quoted(String user) {
        return '"' + user.toUpperCase(Locale.ROOT).replace("\"", "\"\"") + '"';
    }

    private static boolean isLoopback(String address) {
        try {
            return InetAddress.getByName(address).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
