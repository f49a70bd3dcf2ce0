package chowder.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chowder.adapter.persistence.EmbeddedH2;
import chowder.domain.ApiKeyKind;
import chowder.domain.ApiKeySecret;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Another local user cannot take Chowder over through its embedded database (issue 16): Chowder runs as a real
 * process on H2 with AUTO_SERVER, and an unprivileged user ({@code nobody}, through {@code setpriv}; the tests run as
 * root) tries to read the data directory, to log into H2's server with the address and key of the lock file as
 * {@code sa} with the empty password and plant an organization key, and to reach that server from the host's other
 * addresses. Each attempt fails; the server listens on loopback only; {@code chowder org create} still works beside
 * the server.
 */
class EmbeddedDatabaseIsolationTest {
    private static final int NOBODY = 65534;

    /** Like /var/lib: other users may pass through it to the data directory, so only the data directory's own modes protect it. */
    @TempDir
    Path base;

    @Test
    void anotherLocalUserCannotReadTheDataDirectoryNorLogIntoTheDatabaseServer() throws Exception {
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path dataDir = base.resolve("data");
        try (ServerProcess server = ServerProcess.start(dataDir, base.resolve("server.log"), List.of())) {
            assertOwnerOnly(dataDir);
            assertAttackFails(dataDir, server);
            assertCommandsStillWork(dataDir, server);
        }
    }

    @Test
    void anExistingDataDirectoryOpenToOthersIsClosedAndItsDatabaseGetsAPassword() throws Exception {
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path dataDir = Files.createDirectory(base.resolve("data"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        // As Chowder left it before: a database with sa and the empty password, a readable key file.
        EmbeddedH2.listenOnLoopbackOnly();
        DriverManager.getConnection("jdbc:h2:file:" + dataDir.resolve("chowder"), "sa", "").close();
        Files.writeString(dataDir.resolve("master.key"), java.util.Base64.getEncoder().encodeToString(new byte[32]) + "\n");
        Files.setPosixFilePermissions(dataDir.resolve("master.key"), PosixFilePermissions.fromString("rw-r--r--"));
        assertThat(mode(dataDir.resolve("chowder.mv.db"))).isEqualTo("rw-r--r--");

        try (ServerProcess server = ServerProcess.start(dataDir, base.resolve("server.log"), List.of())) {
            assertThat(server.log()).contains("The data directory " + dataDir + " was open to other users")
                    .contains("had an empty password: it now has the one in " + dataDir.resolve("database.password"));
            assertOwnerOnly(dataDir);
            assertAttackFails(dataDir, server);
            assertCommandsStillWork(dataDir, server);
        }
    }

    @Test
    void aServerToldToListenBeyondLoopbackRefusesToStart() throws Exception {
        Path log = base.resolve("server.log");
        Process process = ServerProcess.launch(base.resolve("data"), log, List.of("-Dh2.bindAddress=0.0.0.0"));
        try {
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("exited").isTrue();
        } finally {
            process.destroyForcibly();
        }
        assertThat(process.exitValue()).isEqualTo(2);
        assertThat(Files.readString(log)).contains("chowder: configuration error: h2.bindAddress=0.0.0.0 would let other hosts reach the database server");
    }

    @Test
    void aPasswordFileThatDoesNotOpenTheDatabaseStopsTheServerNamingTheFile() throws Exception {
        Path dataDir = base.resolve("data");
        new RunningChowder(dataDir, Map.of()).close();
        Files.writeString(dataDir.resolve("database.password"), "not-the-password\n");
        assertThatThrownBy(() -> new RunningChowder(dataDir, Map.of()))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("with the password in " + dataDir.resolve("database.password") + ": the database accepts neither")
                .message().doesNotContain("not-the-password");
    }

    private static void assertOwnerOnly(Path dataDir) throws IOException {
        assertThat(mode(dataDir)).isEqualTo("rwx------");
        List<Path> files;
        try (Stream<Path> entries = Files.list(dataDir)) {
            files = entries.filter(Files::isRegularFile).toList();
        }
        assertThat(files).extracting(file -> file.getFileName().toString())
                .contains("chowder.mv.db", "chowder.lock.db", "master.key", "database.password");
        for (Path file : files) {
            assertThat(mode(file)).as(file.toString()).isEqualTo("rw-------");
        }
    }

    /** The attack of issue 16, as nobody, given even the server's address and key (which root reads from the lock file). */
    private void assertAttackFails(Path dataDir, ServerProcess server) throws Exception {
        Properties lock = new Properties();
        lock.load(new StringReader(Files.readString(dataDir.resolve("chowder.lock.db"), StandardCharsets.ISO_8859_1)));
        String address = lock.getProperty("server");
        assertThat(InetAddress.getByName(address.substring(0, address.lastIndexOf(':'))).isLoopbackAddress())
                .as("H2's server address in the lock file: %s", address).isTrue();
        int port = Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
        assertThat(listeningAddresses(port)).as("addresses listening on H2's port %d", port).isNotEmpty()
                .allMatch(InetAddress::isLoopbackAddress);

        ApiKeySecret planted = ApiKeySecret.generate(ApiKeyKind.ORGANIZATION, new SecureRandom());
        UUID organization = UUID.randomUUID();
        String output = runAsNobody(dataDir, address, lock.getProperty("id"),
                "INSERT INTO organizations (id, name, created_at, updated_at) VALUES ('" + organization + "', 'Mallory', CURRENT_TIMESTAMP,"
                        + " CURRENT_TIMESTAMP)",
                "INSERT INTO api_keys (id, organization_id, name, kind, key_prefix, key_hash, is_active, created_at) VALUES ('"
                        + UUID.randomUUID() + "', '" + organization + "', 'planted', 'ORGANIZATION', '" + planted.displayPrefix() + "', '"
                        + planted.hash().hex() + "', TRUE, CURRENT_TIMESTAMP)");
        assertThat(output).contains("running as nobody", "list the data directory: denied", "read chowder.lock.db: denied",
                "read chowder.mv.db: denied", "read master.key: denied", "read database.password: denied",
                "connect to the database server: refused 28000 Wrong user name or password").doesNotContain("allowed", "rows inserted");
        assertThat(server.send("GET", "/v1/organization", planted.value()).statusCode()).as("the planted key").isEqualTo(401);
    }

    /** {@code chowder org create} beside the server, on the same data directory, through H2's server. */
    private static void assertCommandsStillWork(Path dataDir, ServerProcess server) throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(new String[] {"org", "create", "--name", "Acme"}, Map.of("CHOWDER_DATA_DIR", dataDir.toString()),
                new PrintWriter(out), new PrintWriter(err));
        assertThat(exit).as(err.toString()).isZero();
        String key = RunningChowder.JSON.readTree(out.toString()).path("api_key").asText();
        assertThat(server.send("GET", "/v1/organization", key).statusCode()).isEqualTo(200);
        // Root has the lock file's key too, yet the empty password no longer opens the database.
        Properties lock = new Properties();
        lock.load(new StringReader(Files.readString(dataDir.resolve("chowder.lock.db"), StandardCharsets.ISO_8859_1)));
        try {
            DriverManager.getConnection("jdbc:h2:tcp://" + lock.getProperty("server") + "/" + lock.getProperty("id"), "sa", "").close();
            throw new AssertionError("the empty password opened the database");
        } catch (SQLException refused) {
            assertThat(refused.getErrorCode()).isEqualTo(28000);
        }
    }

    /** Runs {@link LocalAttacker} as nobody, from copies of its class and of H2's jar that nobody may read. */
    private String runAsNobody(Path dataDir, String address, String key, String... sql) throws Exception {
        Path tools = Files.createDirectories(base.resolve("attacker/chowder/bootstrap")).getParent().getParent();
        Path classes = Path.of(LocalAttacker.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Files.copy(classes.resolve("chowder/bootstrap/LocalAttacker.class"), tools.resolve("chowder/bootstrap/LocalAttacker.class"));
        Path h2 = Files.copy(Path.of(org.h2.Driver.class.getProtectionDomain().getCodeSource().getLocation().toURI()), tools.resolve("h2.jar"));
        try (Stream<Path> paths = Files.walk(tools)) {
            for (Path path : paths.toList()) {
                Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(Files.isDirectory(path) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
        List<String> command = new ArrayList<>(List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups", "--",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:-UsePerfData", "-cp", tools + ":" + h2,
                LocalAttacker.class.getName(), dataDir.toString(), address, key));
        command.addAll(List.of(sql));
        Process process = new ProcessBuilder(command).directory(tools.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        return output;
    }

    /** The local addresses of the sockets listening on {@code port}, from /proc/net/tcp and tcp6. */
    private static List<InetAddress> listeningAddresses(int port) throws IOException {
        List<InetAddress> addresses = new ArrayList<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            for (String line : Files.readAllLines(Path.of(table)).subList(1, Files.readAllLines(Path.of(table)).size())) {
                String[] fields = line.trim().split("\\s+");
                String[] local = fields[1].split(":");
                if (fields[3].equals("0A") && Integer.parseInt(local[1], 16) == port) {
                    addresses.add(decode(local[0]));
                }
            }
        }
        return addresses;
    }

    /** An address as /proc/net shows it: 32-bit words in host (little-endian) byte order. */
    private static InetAddress decode(String hex) throws UnknownHostException {
        byte[] bytes = HexFormat.of().parseHex(hex);
        for (int word = 0; word < bytes.length; word += 4) {
            for (int i = 0; i < 2; i++) {
                byte swap = bytes[word + i];
                bytes[word + i] = bytes[word + 3 - i];
                bytes[word + 3 - i] = swap;
            }
        }
        return InetAddress.getByAddress(bytes);
    }

    private static String mode(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }
}
