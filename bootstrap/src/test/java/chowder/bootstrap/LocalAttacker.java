package chowder.bootstrap;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;

/**
 * What an unprivileged local user tries against a Chowder data directory: read the directory and its files (the
 * lock file holds the address and key of H2's server), connect to that server as {@code sa} with the empty
 * password and insert rows, and reach the server's port on the host's other addresses. Run as another OS user by
 * {@link EmbeddedDatabaseIsolationTest}; prints one line per attempt. Arguments: the data directory, the server's
 * {@code host:port}, its key, then the SQL to run once connected.
 */
final class LocalAttacker {
    private LocalAttacker() {}

    public static void main(String[] args) throws Exception {
        Path dataDir = Path.of(args[0]);
        System.out.println("running as " + System.getProperty("user.name"));
        try (var entries = Files.list(dataDir)) {
            System.out.println("list the data directory: allowed " + entries.toList());
        } catch (AccessDeniedException e) {
            System.out.println("list the data directory: denied");
        }
        for (String name : List.of("chowder.lock.db", "chowder.mv.db", "master.key", "database.password")) {
            try {
                Files.readAllBytes(dataDir.resolve(name));
                System.out.println("read " + name + ": allowed");
            } catch (AccessDeniedException e) {
                System.out.println("read " + name + ": denied");
            } catch (IOException e) {
                System.out.println("read " + name + ": failed " + e);
            }
        }
        try (Connection connection = DriverManager.getConnection("jdbc:h2:tcp://" + args[1] + "/" + args[2], "sa", "")) {
            System.out.println("connect to the database server: allowed");
            for (String sql : Arrays.asList(args).subList(3, args.length)) {
                connection.createStatement().execute(sql);
            }
            System.out.println("rows inserted");
        } catch (SQLException e) {
            System.out.println("connect to the database server: refused " + e.getErrorCode() + " " + e.getMessage().lines().findFirst().orElse(""));
        }
        int port = Integer.parseInt(args[1].substring(args[1].lastIndexOf(':') + 1));
        for (NetworkInterface network : NetworkInterface.networkInterfaces().toList()) {
            for (InetAddress address : network.inetAddresses().toList()) {
                if (address instanceof Inet4Address && !address.isLoopbackAddress()) {
                    try (Socket socket = new Socket()) {
                        socket.connect(new InetSocketAddress(address, port), 2_000);
                        System.out.println("connect via " + address.getHostAddress() + ": allowed");
                    } catch (IOException e) {
                        System.out.println("connect via " + address.getHostAddress() + ": refused");
                    }
                }
            }
        }
    }
}
