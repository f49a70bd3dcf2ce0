package chowder.e2e;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Chowder as a real process: {@code java -jar chowder.jar serve} on a free loopback port with a private data
 * directory (H2, master key, log and a copy of {@code bootstrap/target/chowder.jar}), started with the JDK
 * running the tests. {@link #start}
 * returns once {@code GET /v1/instances} answers 401; {@link #close()} sends SIGTERM, then kills the process
 * if it is still there after a grace period. A JVM shutdown hook kills whatever is left.
 */
public final class ChowderProcess implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path JAR = Path.of("bootstrap", "target", "chowder.jar");
    private static final String MAIN_CLASS = "chowder/bootstrap/Main.class";
    private static final Duration JAR_REWRITE_WAIT = Duration.ofSeconds(60);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_GRACE = Duration.ofSeconds(15);
    private static final int START_ATTEMPTS = 3;
    private static final int LOG_TAIL_LINES = 60;
    private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();
    private static final AtomicInteger ORGANIZATIONS = new AtomicInteger();
    private static final HttpClient PROBE = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(1))
            .build();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(
                () -> RUNNING.forEach(Process::destroyForcibly), "chowder-process-reaper"));
    }

    /** An organization made by {@code chowder org create}, with its organization key. */
    public record Organization(String id, String name, String apiKey) {}

    private final Path jar;
    private final Path dataDirectory;
    private final int port;
    private final Process process;
    private final AtomicBoolean stopped = new AtomicBoolean();

    private ChowderProcess(Path jar, Path dataDirectory, int port, Process process) {
        this.jar = jar;
        this.dataDirectory = dataDirectory;
        this.port = port;
        this.process = process;
    }

    /**
     * Starts Chowder from the repository's {@code bootstrap/target/chowder.jar}; throws
     * {@link IllegalStateException} with the log tail when it does not become ready, or naming the build
     * command when the jar is missing.
     */
    public static ChowderProcess start() {
        Path jar = locateJar();
        IllegalStateException failure = null;
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            ChowderProcess chowder = launch(jar);
            try {
                chowder.awaitReady();
                return chowder;
            } catch (IllegalStateException e) {
                chowder.stop();
                failure = e;
                // The port was free when chosen but another process may have taken it before the bind.
                if (!chowder.logTail().contains("BindException") && !chowder.logTail().contains("Address already in use")) {
                    throw e;
                }
            }
        }
        throw failure;
    }

    /** The API base, {@code http://127.0.0.1:<port>}, without a trailing slash. */
    public URI baseUrl() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** Holds the H2 database, the master key and {@code chowder.log} (stderr); kept after stop for inspection. */
    public Path dataDirectory() {
        return dataDirectory;
    }

    /** The whole log (stderr) of the server so far. */
    public String log() {
        try {
            return Files.readString(dataDirectory.resolve("chowder.log"), UTF_8);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** The last lines of the server's log. */
    public String logTail() {
        List<String> lines = log().lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
    }

    /**
     * Runs {@code chowder org create --name <name>} beside the running server, on the same data, and
     * returns the organization with the key it printed; throws {@link IllegalStateException} with the
     * command's output when it fails.
     */
    public Organization createOrganization(String name) {
        try {
            Path stdout = dataDirectory.resolve("org-create-" + ORGANIZATIONS.incrementAndGet() + ".out");
            Path stderr = Path.of(stdout.toString().replaceFirst("\\.out$", ".err"));
            ProcessBuilder builder = javaCommand(jar, dataDirectory, "org", "create", "--name", name)
                    .redirectOutput(stdout.toFile())
                    .redirectError(stderr.toFile());
            environment(builder.environment(), dataDirectory, port);
            Process command = builder.start();
            RUNNING.add(command);
            try {
                if (!command.waitFor(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    command.destroyForcibly();
                    throw new IllegalStateException("chowder org create did not finish within " + COMMAND_TIMEOUT
                            + output(stdout, stderr));
                }
            } finally {
                RUNNING.remove(command);
            }
            if (command.exitValue() != 0) {
                throw new IllegalStateException("chowder org create exited with " + command.exitValue() + output(stdout, stderr));
            }
            JsonNode answer = JSON.readTree(Files.readString(stdout, UTF_8));
            String apiKey = answer.path("api_key").asText("");
            if (!apiKey.startsWith("chd_org_")) {
                throw new IllegalStateException("chowder org create printed no organization key" + output(stdout, stderr));
            }
            return new Organization(answer.at("/organization/id").asText(), answer.at("/organization/name").asText(), apiKey);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run chowder org create", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running chowder org create", e);
        }
    }

    /** Stops the server (SIGTERM, then a kill after a grace period) and waits for it to exit. Idempotent. */
    public void stop() {
        if (!stopped.compareAndSet(false, true)) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        RUNNING.remove(process);
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        stop();
    }

    @Override
    public String toString() {
        return "ChowderProcess[" + baseUrl() + ", pid " + process.pid() + ", " + dataDirectory + "]";
    }

    private static ChowderProcess launch(Path jar) {
        try {
            Path dataDirectory = Files.createTempDirectory(processesDirectory(), "chowder-");
            // A private copy: a build running meanwhile replaces bootstrap/target/chowder.jar, and a JVM whose
            // jar changes under it fails to load its next class.
            Path copy = copyWhole(jar, dataDirectory.resolve("chowder.jar"));
            int port = freeLoopbackPort();
            ProcessBuilder builder = javaCommand(copy, dataDirectory, "serve")
                    .redirectErrorStream(true)
                    .redirectOutput(dataDirectory.resolve("chowder.log").toFile());
            environment(builder.environment(), dataDirectory, port);
            Process process = builder.start();
            RUNNING.add(process);
            return new ChowderProcess(copy, dataDirectory, port, process);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot launch Chowder from " + jar, e);
        }
    }

    /** Copies the jar, again while it is being rewritten (a copy that is not a readable zip with Main). */
    private static Path copyWhole(Path jar, Path copy) throws IOException {
        long deadline = System.nanoTime() + JAR_REWRITE_WAIT.toNanos();
        while (true) {
            Files.copy(jar, copy, StandardCopyOption.REPLACE_EXISTING);
            try (ZipFile zip = new ZipFile(copy.toFile())) {
                if (zip.getEntry(MAIN_CLASS) != null) {
                    return copy;
                }
            } catch (ZipException halfWritten) {
                // checked again below
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException(jar + " is not a complete Chowder jar (no " + MAIN_CLASS + ")");
            }
            sleep(Duration.ofSeconds(1));
        }
    }

    private static ProcessBuilder javaCommand(Path jar, Path workingDirectory, String... arguments) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // JDK 24+ warns on stderr when a library uses sun.misc.Unsafe; the option exists since JDK 23.
        if (Runtime.version().feature() >= 23) {
            command.add("--sun-misc-unsafe-memory-access=allow");
        }
        command.add("-jar");
        command.add(jar.toString());
        command.addAll(List.of(arguments));
        return new ProcessBuilder(command)
                .directory(workingDirectory.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
    }

    private static void environment(Map<String, String> environment, Path dataDirectory, int port) {
        // Settings of the developer's own Chowder (say CHOWDER_DATABASE_URL) must not leak into the test's.
        environment.keySet().removeIf(name -> name.startsWith("CHOWDER_"));
        environment.put("CHOWDER_DATA_DIR", dataDirectory.toString());
        environment.put("CHOWDER_HTTP_HOST", "127.0.0.1");
        environment.put("CHOWDER_HTTP_PORT", Integer.toString(port));
        environment.put("CHOWDER_SHUTDOWN_GRACE", "5s");
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        HttpRequest probe = HttpRequest.newBuilder(baseUrl().resolve("/v1/instances")).timeout(Duration.ofSeconds(2)).build();
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException(this + " exited with " + process.exitValue()
                        + " before it was ready; log tail:\n" + logTail());
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException(this + " not ready within " + READY_TIMEOUT + "; log tail:\n" + logTail());
            }
            try {
                int status = PROBE.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status == 401) {
                    return;
                }
                throw new IllegalStateException(this + " answered GET /v1/instances without a key with " + status
                        + " instead of 401; log tail:\n" + logTail());
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + this, e);
            }
            sleep(Duration.ofMillis(100));
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** The repository root is the parent of the e2e module, which is Maven's basedir (or the working directory). */
    private static Path locateJar() {
        Path basedir = Path.of(System.getProperty("basedir", "")).toAbsolutePath();
        for (Path root : List.of(basedir.getParent(), basedir)) {
            if (root != null && Files.isRegularFile(root.resolve("e2e").resolve("pom.xml"))) {
                Path jar = root.resolve(JAR);
                if (!Files.isRegularFile(jar)) {
                    throw new IllegalStateException("no " + jar + ": build it first with"
                            + " `scripts/mvn -B -DskipTests -pl bootstrap -am install`, or run the e2e tests through"
                            + " the reactor (`scripts/mvn -B -pl e2e -am verify`)");
                }
                return jar;
            }
        }
        throw new IllegalStateException("cannot find the repository root from " + basedir
                + ": run the tests from the e2e module or the repository root");
    }

    private static Path processesDirectory() throws IOException {
        Path target = Path.of(System.getProperty("basedir", "")).toAbsolutePath().resolve("target");
        Path parent = Files.isDirectory(target) ? target.resolve("chowder-processes")
                : Path.of(System.getProperty("java.io.tmpdir"), "chowder-e2e-processes");
        return Files.createDirectories(parent);
    }

    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static String output(Path stdout, Path stderr) throws IOException {
        return "\n--- stdout ---\n" + Files.readString(stdout, UTF_8) + "\n--- stderr ---\n" + Files.readString(stderr, UTF_8);
    }
}
