package chowder.e2e;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The archive the build makes, as an operator installs it: unpacked, {@code install.sh --root} lays it out, and the
 * installed launcher runs Chowder with the installed configuration until SIGTERM ends it cleanly.
 */
@Timeout(300)
class InstallArchiveTest {
    @TempDir
    Path work;

    @Test
    void theArchiveInstallsIntoARootAndTheInstalledLauncherServes() throws Exception {
        Path archive = archive();
        assertThat(run(List.of("tar", "-xzf", archive.toString(), "-C", work.toString()), Map.of()).exit()).isZero();
        Path unpacked;
        try (Stream<Path> entries = Files.list(work)) {
            unpacked = entries.filter(path -> path.getFileName().toString().startsWith("chowder-")).findFirst().orElseThrow();
        }
        Path root = Files.createDirectories(work.resolve("root"));

        Result installed = run(List.of(unpacked.resolve("install.sh").toString(), "--root", root.toString()), Map.of());

        assertThat(installed.exit()).as(installed.output()).isZero();
        assertThat(installed.output()).contains("Installed chowder " + versionOf(archive));
        Path launcher = root.resolve("opt/chowder/bin/chowder");
        assertThat(Files.getPosixFilePermissions(launcher)).isEqualTo(PosixFilePermissions.fromString("rwxr-xr-x"));
        assertThat(root.resolve("opt/chowder/lib/chowder.jar")).isRegularFile();
        assertThat(root.resolve("opt/chowder/docs/operations.md")).isRegularFile();
        Path env = root.resolve("etc/chowder/chowder.env");
        assertThat(Files.getPosixFilePermissions(env)).isEqualTo(PosixFilePermissions.fromString("rw-r-----"));
        String unit = Files.readString(root.resolve("etc/systemd/system/chowder.service"), UTF_8);
        assertThat(unit).contains("User=chowder", "EnvironmentFile=/etc/chowder/chowder.env", "ExecStart=/opt/chowder/bin/chowder serve",
                "NoNewPrivileges=yes", "ProtectSystem=strict", "StateDirectory=chowder");
        verifiedBySystemd(root, unit, "chowder.service");
        // As systemd reads the unit with the provisioner's drop-in beside it.
        String dropIn = Files.readString(root.resolve("opt/chowder/lib/chowder-provisioner.conf"), UTF_8);
        assertThat(dropIn).contains("User=root", "TasksMax=infinity");
        verifiedBySystemd(root, unit.substring(0, unit.indexOf("[Install]")) + dropIn.replace("[Service]", ""), "chowder-provisioner.service");
        // An operator's edited configuration survives a second install.
        Files.writeString(env, "# edited\n", UTF_8, java.nio.file.StandardOpenOption.APPEND);
        assertThat(run(List.of(unpacked.resolve("install.sh").toString(), "--root", root.toString()), Map.of()).output())
                .contains("kept the existing");
        assertThat(Files.readString(env, UTF_8)).endsWith("# edited\n");

        // The installed launcher, with the installed configuration (its data directory and port moved into the test).
        Map<String, String> settings = new java.util.HashMap<>(environmentFile(env));
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        settings.put("CHOWDER_DATA_DIR", work.resolve("state").toString());
        settings.put("CHOWDER_HTTP_PORT", Integer.toString(port));
        settings.put("JAVA_HOME", System.getProperty("java.home"));
        ProcessBuilder serve = new ProcessBuilder(launcher.toString(), "serve").redirectErrorStream(true)
                .redirectOutput(work.resolve("serve.log").toFile());
        serve.environment().keySet().removeIf(name -> name.startsWith("CHOWDER_"));
        serve.environment().putAll(settings);
        Process server = serve.start();
        try {
            HttpClient client = HttpClient.newHttpClient();
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            int status = 0;
            while (status != 200 && System.nanoTime() < deadline && server.isAlive()) {
                try {
                    status = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/readyz")).build(),
                            HttpResponse.BodyHandlers.ofString()).statusCode();
                } catch (java.io.IOException notYet) {
                    Thread.sleep(200);
                }
            }
            assertThat(status).as(Files.readString(work.resolve("serve.log"), UTF_8)).isEqualTo(200);
        } finally {
            // What systemd sends: in-flight requests finish, then it exits 0.
            server.toHandle().destroy();
            assertThat(server.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(server.exitValue()).as(Files.readString(work.resolve("serve.log"), UTF_8)).isZero();
    }

    /**
     * {@code systemd-analyze verify} finds nothing to say about the unit (it names unknown keys and unparsable values,
     * and exits 0 either way, hence the empty output). The command runs where systemd is installed, as on Debian;
     * ExecStart is pointed at the installed launcher, which it checks is executable.
     */
    private void verifiedBySystemd(Path root, String unit, String name) throws Exception {
        Path analyze = Path.of("/usr/bin/systemd-analyze");
        if (!Files.isExecutable(analyze)) {
            return;
        }
        Path copy = Files.writeString(work.resolve(name), unit.replace("/opt/chowder/bin/chowder", root.resolve("opt/chowder/bin/chowder").toString()), UTF_8);
        Result verified = run(List.of(analyze.toString(), "verify", copy.toString()), Map.of());
        assertThat(verified.output()).as(name).isEmpty();
    }

    /** The one {@code bootstrap/target/chowder-<version>.tar.gz} the build made. */
    private static Path archive() throws Exception {
        Path basedir = Path.of(System.getProperty("basedir", "")).toAbsolutePath();
        for (Path root : new Path[] {basedir.getParent(), basedir}) {
            Path target = root == null ? null : root.resolve("bootstrap/target");
            if (target != null && Files.isDirectory(target)) {
                try (Stream<Path> files = Files.list(target)) {
                    List<Path> archives = files.filter(file -> file.getFileName().toString().matches("chowder-.+\\.tar\\.gz")).toList();
                    assertThat(archives).as("archives in " + target).hasSize(1);
                    return archives.getFirst();
                }
            }
        }
        throw new IllegalStateException("no bootstrap/target from " + basedir + ": build with `scripts/mvn -pl bootstrap -am package`");
    }

    private static String versionOf(Path archive) {
        String name = archive.getFileName().toString();
        return name.substring("chowder-".length(), name.length() - ".tar.gz".length());
    }

    /** The assignments of an environment file as systemd reads it (comments and blank lines skipped). */
    private static Map<String, String> environmentFile(Path file) throws Exception {
        Map<String, String> values = new java.util.HashMap<>();
        for (String line : Files.readAllLines(file, UTF_8)) {
            String trimmed = line.strip();
            if (!trimmed.isEmpty() && !trimmed.startsWith("#") && trimmed.contains("=")) {
                values.put(trimmed.substring(0, trimmed.indexOf('=')), trimmed.substring(trimmed.indexOf('=') + 1));
            }
        }
        return values;
    }

    private record Result(int exit, String output) {}

    private Result run(List<String> command, Map<String, String> environment) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true);
        builder.environment().putAll(environment);
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Result(process.exitValue(), output);
    }
}
