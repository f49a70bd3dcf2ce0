package chowder.e2e;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A server child process of the tests whose stdout and stderr go to one log file, stopped by SIGTERM and then
 * killed together with every descendant seen; a JVM shutdown hook kills whatever is left.
 */
public final class SupervisedProcess {
    private static final Duration STOP_GRACE = Duration.ofSeconds(15);
    private static final Duration KILL_WAIT = Duration.ofSeconds(5);
    private static final Duration POLL_INTERVAL = Duration.ofMillis(100);
    private static final int START_ATTEMPTS = 3;
    private static final Set<SupervisedProcess> RUNNING = ConcurrentHashMap.newKeySet();
    // HTTP/1.1: the gateway answers an h2c upgrade attempt (the JDK client's default for http://) with 400.
    private static final HttpClient PROBE = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(1))
            .build();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(
                () -> RUNNING.forEach(SupervisedProcess::kill), "supervised-process-reaper"));
    }

    /** Whether a server that is starting answers as ready; an {@link IOException} means it does not listen yet. */
    @FunctionalInterface
    public interface ReadinessCheck {
        boolean ready() throws IOException, InterruptedException;
    }

    private final Process process;
    private final Path logFile;
    private final int logTailLines;
    private final long startedAtNanos;
    private final Set<ProcessHandle> seenProcesses = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean stopped = new AtomicBoolean();

    private SupervisedProcess(Process process, Path logFile, int logTailLines, long startedAtNanos) {
        this.process = process;
        this.logFile = logFile;
        this.logTailLines = logTailLines;
        this.startedAtNanos = startedAtNanos;
        seenProcesses.add(process.toHandle());
    }

    /** Starts {@code command} with stdin from {@code /dev/null} and stdout and stderr both into {@code logFile}. */
    public static SupervisedProcess start(ProcessBuilder command, Path logFile, int logTailLines) throws IOException {
        command.redirectErrorStream(true)
                .redirectOutput(logFile.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        long startedAt = System.nanoTime();
        SupervisedProcess started = new SupervisedProcess(command.start(), logFile, logTailLines, startedAt);
        RUNNING.add(started);
        return started;
    }

    /**
     * Launches a server with {@code launch} and waits with {@code awaitReady}; when that fails and the log shows
     * one of {@code portTakenMarkers} (the free port chosen was taken by another process before the bind), the
     * server is stopped and launched again, up to three times in all. Any other failure is thrown at once.
     */
    public static <T> T startRetryingTakenPorts(Supplier<T> launch, Function<T, SupervisedProcess> processOf,
            Consumer<T> awaitReady, List<String> portTakenMarkers) {
        IllegalStateException failure = null;
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            T server = launch.get();
            try {
                awaitReady.accept(server);
                return server;
            } catch (IllegalStateException e) {
                SupervisedProcess process = processOf.apply(server);
                process.stop();
                failure = e;
                String tail = process.logTail();
                if (portTakenMarkers.stream().noneMatch(tail::contains)) {
                    throw e;
                }
            }
        }
        throw failure;
    }

    /**
     * Polls {@code check} until it answers true and returns the time since the start; throws
     * {@link IllegalStateException} with the log tail when the process exits first or {@code timeout}, counted
     * from the start, runs out. {@code name} names the server in those messages.
     */
    public Duration awaitReady(String name, Duration timeout, ReadinessCheck check) {
        long deadline = startedAtNanos + timeout.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue()
                        + " before it was ready; log tail:\n" + logTail());
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException(name + " not ready within " + timeout + "; log tail:\n" + logTail());
            }
            try {
                if (check.ready()) {
                    refreshSeenProcesses();
                    return Duration.ofNanos(System.nanoTime() - startedAtNanos);
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + name, e);
            }
            sleep(POLL_INTERVAL);
        }
    }

    /** The status of {@code GET url} over HTTP/1.1, within a short timeout: a readiness probe. */
    public static int httpStatus(URI url) throws IOException, InterruptedException {
        HttpRequest probe = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(2)).build();
        return PROBE.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** The whole log (stdout and stderr) so far. */
    public String log() {
        try {
            // Lenient: a stray byte that is not UTF-8 must not hide the rest of the log.
            return new String(Files.readAllBytes(logFile), UTF_8);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** The last lines of the log, colour codes removed. */
    public String logTail() {
        List<String> lines = log().lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - logTailLines), lines.size()))
                .replaceAll("\u001B\\[[0-9;]*m", "");
    }

    /** The process and every descendant seen so far, alive or not. */
    public Set<ProcessHandle> processes() {
        refreshSeenProcesses();
        return Set.copyOf(seenProcesses);
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Asks the process to shut down (SIGTERM), kills it and its descendants if they are still there after a
     * grace period, and returns when all have exited. Idempotent.
     */
    public void stop() {
        if (!stopped.compareAndSet(false, true)) {
            return;
        }
        refreshSeenProcesses();
        process.destroy();
        try {
            process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        kill();
        RUNNING.remove(this);
    }

    /**
     * Kills the process at once with {@code Process.destroyForcibly()} — SIGKILL on Linux, so no shutdown hook
     * runs — and its descendants, and returns the process's exit status (128 + the signal's number).
     */
    public int killAbruptly() {
        stopped.set(true);
        refreshSeenProcesses();
        process.destroyForcibly();
        try {
            int status = process.waitFor();
            kill();
            return status;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while killing pid " + process.pid(), e);
        } finally {
            RUNNING.remove(this);
        }
    }

    /** A new directory for one server's files, under {@code target/<parent>} of the module, else under the temp directory. */
    public static Path newDirectory(String parent, String parentOutsideMaven, String prefix) throws IOException {
        Path target = Path.of(System.getProperty("basedir", "")).toAbsolutePath().resolve("target");
        Path parentDirectory = Files.isDirectory(target) ? target.resolve(parent)
                : Path.of(System.getProperty("java.io.tmpdir"), parentOutsideMaven);
        return Files.createTempDirectory(Files.createDirectories(parentDirectory), prefix);
    }

    /** A loopback port that was free a moment ago (another process may still take it before the server binds). */
    public static int freeLoopbackPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Descendants can only be found while their parents live, so they are remembered whenever seen. */
    private void refreshSeenProcesses() {
        process.descendants().forEach(seenProcesses::add);
    }

    private void kill() {
        refreshSeenProcesses();
        Set<ProcessHandle> tree = new LinkedHashSet<>(seenProcesses);
        tree.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle handle : tree) {
            try {
                handle.onExit().get(KILL_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (ExecutionException | TimeoutException e) {
                // reported by the caller's assertions on processes(), if it cares
            }
        }
    }
}
