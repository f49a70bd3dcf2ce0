package chowder.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
    private static final String LOG = "chowder.log";
    private static final String JAR_COPY = "chowder.jar";
    private static final Duration JAR_REWRITE_WAIT = Duration.ofSeconds(60);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);
    private static final int LOG_TAIL_LINES = 60;
    private static final List<String> PORT_TAKEN = List.of("BindException", "Address already in use");
    private static final AtomicInteger ORGANIZATIONS = new AtomicInteger();

    /** An organization made by {@code chowder org create}, with its organization key. */
    public record Organization(String id, String name, String apiKey) {}

    private static final AtomicInteger LAUNCHES = new AtomicInteger();

    private final Path dataDirectory;
    private final Map<String, String> settings;
    private final int port;
    private final SupervisedProcess process;

    private ChowderProcess(Path dataDirectory, Map<String, String> settings, int port, SupervisedProcess process) {
        this.dataDirectory = dataDirectory;
        this.settings = settings;
        this.port = port;
        this.process = process;
    }

    /**
     * Starts Chowder from the repository's {@code bootstrap/target/chowder.jar}; throws
     * {@link IllegalStateException} with the log tail when it does not become ready, or naming the build
     * command when the jar is missing.
     */
    public static ChowderProcess start() {
        return start(Map.of());
    }

    /** Like {@link #start()}, with {@code settings} (say {@code CHOWDER_PROVISIONER}) added to its environment. */
    public static ChowderProcess start(Map<String, String> settings) {
        try {
            return start(SupervisedProcess.newDirectory("chowder-processes", "chowder-e2e-processes", "chowder-"), settings);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a data directory for Chowder", e);
        }
    }

    /**
     * Like {@link #start()}, on {@code dataDirectory} as it is (a restart finds its database and master key
     * there), with {@code settings} ({@code CHOWDER_…} variables, e.g. {@code CHOWDER_DATABASE_URL}) added to
     * the environment of the server and of its commands. Each start logs into a file of its own. With the local
     * provisioner on, it runs on a sandbox uid range of this data directory's own ({@link SandboxUidRanges}) unless
     * {@code settings} name one.
     */
    public static ChowderProcess start(Path dataDirectory, Map<String, String> settings) {
        Path jar = locateJar();
        Map<String, String> withUidRange = Map.copyOf(SandboxUidRanges.addTo(dataDirectory, settings));
        return SupervisedProcess.startRetryingTakenPorts(() -> launch(jar, dataDirectory, withUidRange),
                chowder -> chowder.process, ChowderProcess::awaitReady, PORT_TAKEN);
    }

    /** The API base, {@code http://127.0.0.1:<port>}, without a trailing slash. */
    public URI baseUrl() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** Holds the H2 database, the master key and {@code chowder.log} (stderr); kept after stop for inspection. */
    public Path dataDirectory() {
        return dataDirectory;
    }

    /** The first uid of the sandbox range it runs on ({@code CHOWDER_SANDBOX_FIRST_UID}). */
    public long sandboxFirstUid() {
        String firstUid = settings.get(SandboxUidRanges.FIRST_UID);
        if (firstUid == null) {
            throw new IllegalStateException(this + " runs without the local provisioner");
        }
        return Long.parseLong(firstUid);
    }

    /** The whole log (stderr) of the server so far. */
    public String log() {
        return process.log();
    }

    /** The last lines of the server's log. */
    public String logTail() {
        return process.logTail();
    }

    /**
     * Runs {@code chowder org create --name <name>} beside the running server, on the same data, and
     * returns the organization with the key it printed; throws {@link IllegalStateException} with the
     * command's output when it fails.
     */
    public Organization createOrganization(String name) {
        JsonNode answer = command("org", "create", "--name", name);
        String apiKey = answer.path("api_key").asText("");
        if (!apiKey.startsWith("chd_org_")) {
            throw new IllegalStateException("chowder org create printed no organization key: " + answer);
        }
        return new Organization(answer.at("/organization/id").asText(), answer.at("/organization/name").asText(), apiKey);
    }

    /**
     * Runs an operator command ({@code org plan --org …}, say) beside the running server, on the same data, and returns
     * the JSON it printed; throws {@link IllegalStateException} with the command's output when it fails.
     */
    public JsonNode command(String... arguments) {
        String name = String.join("-", java.util.Arrays.copyOf(arguments, Math.min(2, arguments.length)));
        Path stdout = dataDirectory.resolve(name + "-" + ORGANIZATIONS.incrementAndGet() + ".out");
        Path stderr = Path.of(stdout.toString().replaceFirst("\\.out$", ".err"));
        ProcessBuilder builder = javaCommand(dataDirectory.resolve(JAR_COPY), dataDirectory, arguments);
        environment(builder.environment(), dataDirectory, port, settings);
        CommandRun command = CommandRun.run(builder, stdout, stderr, COMMAND_TIMEOUT);
        String what = "chowder " + String.join(" ", arguments);
        if (command.timedOut()) {
            throw new IllegalStateException(what + " did not finish within " + COMMAND_TIMEOUT + command.output());
        }
        if (command.exitCode() != 0) {
            throw new IllegalStateException(what + " exited with " + command.exitCode() + command.output());
        }
        try {
            return JSON.readTree(command.stdout());
        } catch (IOException e) {
            throw new IllegalStateException(what + " printed no JSON" + command.output(), e);
        }
    }

    /**
     * Runs one {@code chowder} command (say {@code openclaw install}) to its end, from a private copy of the jar in a new
     * directory that is also its data directory and keeps its {@code stdout} and {@code stderr}, with {@code settings}
     * added to an environment without the developer's {@code CHOWDER_…} variables; throws {@link IllegalStateException}
     * naming the build command when the jar is missing.
     */
    public static CommandRun runCommand(Map<String, String> settings, Duration timeout, String... arguments) {
        try {
            Path directory = SupervisedProcess.newDirectory("chowder-processes", "chowder-e2e-processes", "command-");
            Path copy = copyWhole(locateJar(), directory.resolve(JAR_COPY));
            ProcessBuilder builder = javaCommand(copy, directory, arguments);
            Map<String, String> environment = builder.environment();
            environment.keySet().removeIf(name -> name.startsWith("CHOWDER_"));
            environment.put("CHOWDER_DATA_DIR", directory.toString());
            environment.putAll(settings);
            return CommandRun.run(builder, directory.resolve("stdout"), directory.resolve("stderr"), timeout);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run chowder " + String.join(" ", arguments), e);
        }
    }

    /** Stops the server (SIGTERM, then a kill after a grace period) and waits for it to exit. Idempotent. */
    public void stop() {
        process.stop();
    }

    /** Kills the server with SIGKILL (no shutdown hook runs) and returns its exit status: 137 = 128 + 9. */
    public int killAbruptly() {
        return process.killAbruptly();
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

    private static ChowderProcess launch(Path jar, Path dataDirectory, Map<String, String> settings) {
        try {
            // A private copy: a build running meanwhile replaces bootstrap/target/chowder.jar, and a JVM whose
            // jar changes under it fails to load its next class.
            Path copy = copyWhole(jar, dataDirectory.resolve(JAR_COPY));
            int port = SupervisedProcess.freeLoopbackPort();
            ProcessBuilder builder = javaCommand(copy, dataDirectory, "serve");
            environment(builder.environment(), dataDirectory, port, settings);
            Path log = dataDirectory.resolve(Files.exists(dataDirectory.resolve(LOG))
                    ? LOG.replace(".log", "-" + LAUNCHES.incrementAndGet() + ".log") : LOG);
            SupervisedProcess process = SupervisedProcess.start(builder, log, LOG_TAIL_LINES);
            return new ChowderProcess(dataDirectory, settings, port, process);
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
            SupervisedProcess.sleep(Duration.ofSeconds(1));
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
        return new ProcessBuilder(command).directory(workingDirectory.toFile());
    }

    private static void environment(Map<String, String> environment, Path dataDirectory, int port, Map<String, String> settings) {
        // Settings of the developer's own Chowder (say CHOWDER_DATABASE_URL) must not leak into the test's.
        environment.keySet().removeIf(name -> name.startsWith("CHOWDER_"));
        environment.put("CHOWDER_DATA_DIR", dataDirectory.toString());
        environment.put("CHOWDER_HTTP_HOST", "127.0.0.1");
        environment.put("CHOWDER_HTTP_PORT", Integer.toString(port));
        environment.put("CHOWDER_SHUTDOWN_GRACE", "5s");
        // A sandboxed gateway starts in about 24 s at the default of one core and 20 s at two (all of a 2-core CI
        // machine): the suite starts dozens. The quota itself is tested in SandboxLimitsTest; a test may set its own.
        environment.put("CHOWDER_SANDBOX_CPUS", "2");
        environment.putAll(settings);
    }

    private void awaitReady() {
        URI probe = baseUrl().resolve("/v1/instances");
        process.awaitReady(toString(), READY_TIMEOUT, () -> {
            int status = SupervisedProcess.httpStatus(probe);
            if (status == 401) {
                return true;
            }
            throw new IllegalStateException(this + " answered GET /v1/instances without a key with " + status
                    + " instead of 401; log tail:\n" + logTail());
        });
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
}
