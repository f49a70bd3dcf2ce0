package chowder.adapter.openclaw.provisioner;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One launch of an {@code openclaw gateway} child process, its output in the instance's console log, and
 * its pid on disk. Stopping sends SIGTERM, waits a grace period, then kills the process and every
 * descendant seen, so no gateway outlives its supervision.
 */
final class GatewayProcess {
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);
    private static final Duration KILL_WAIT = Duration.ofSeconds(5);

    private final Process process;
    private final Set<ProcessHandle> seen = ConcurrentHashMap.newKeySet();

    private GatewayProcess(Process process) {
        this.process = process;
        seen.add(process.toHandle());
    }

    /**
     * Starts the gateway of {@code directory} on {@code port} as {@link GatewayCommand} describes; {@code secrets}
     * (the token, API keys) are added to its clean environment, never to the command line.
     */
    static GatewayProcess launch(OpenClawInstall.Runtime runtime, InstanceDirectory directory, int port, Map<String, String> secrets)
            throws IOException {
        killLeftover(directory);
        ProcessBuilder builder = GatewayCommand.of(runtime.home(), directory.root(), port, secrets)
                .redirectErrorStream(true)
                .redirectOutput(directory.consoleLog().toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        GatewayProcess launched = new GatewayProcess(builder.start());
        Files.writeString(directory.pidFile(), Long.toString(launched.process.pid()), UTF_8);
        return launched;
    }

    /** Kills a gateway of this directory left running by a Chowder that was killed itself. */
    static void killLeftover(InstanceDirectory directory) throws IOException {
        if (!Files.isRegularFile(directory.pidFile())) {
            return;
        }
        long pid;
        try {
            pid = Long.parseLong(Files.readString(directory.pidFile(), UTF_8).strip());
        } catch (NumberFormatException e) {
            return;
        }
        // Only a process working in this instance's directory is its gateway: the pid may be another's by now.
        // (The gateway renames itself to "openclaw-gateway", so its command line cannot tell.)
        ProcessHandle.of(pid)
                .filter(handle -> directory.root().toString().equals(workingDirectory(handle)))
                .ifPresent(handle -> {
                    Set<ProcessHandle> tree = new LinkedHashSet<>();
                    tree.add(handle);
                    handle.descendants().forEach(tree::add);
                    tree.forEach(ProcessHandle::destroyForcibly);
                    tree.forEach(GatewayProcess::awaitExit);
                });
    }

    boolean isAlive() {
        return process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    /** Waits until the process exits, or for at most {@code timeout}; true once it has exited. */
    boolean awaitExit(Duration timeout) throws InterruptedException {
        rememberDescendants();
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    int exitValue() {
        return process.exitValue();
    }

    /** Descendants can only be found while their parents live, so they are remembered whenever seen. */
    void rememberDescendants() {
        process.descendants().forEach(seen::add);
    }

    /** SIGTERM, a grace period, then SIGKILL for the process and every descendant seen; returns when all are gone. */
    void stop() {
        rememberDescendants();
        process.destroy();
        try {
            process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Set<ProcessHandle> tree = new LinkedHashSet<>(seen);
        tree.forEach(ProcessHandle::destroyForcibly);
        tree.forEach(GatewayProcess::awaitExit);
    }

    /** The last lines of the console log, colour codes removed, at most {@code maxCharacters} long. */
    static String logTail(Path log, int maxCharacters) {
        List<String> lines;
        try {
            lines = new String(Files.readAllBytes(log), UTF_8).replaceAll("\u001B\\[[0-9;]*m", "").lines()
                    .filter(line -> !line.isBlank()).toList();
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
        StringBuilder tail = new StringBuilder();
        for (int i = lines.size() - 1; i >= 0 && tail.length() + lines.get(i).length() + 1 <= maxCharacters; i--) {
            tail.insert(0, lines.get(i) + "\n");
        }
        return tail.toString().strip();
    }

    private static String workingDirectory(ProcessHandle handle) {
        try {
            return Files.readSymbolicLink(Path.of("/proc", Long.toString(handle.pid()), "cwd")).toString();
        } catch (IOException | UnsupportedOperationException e) {
            return "";
        }
    }

    private static void awaitExit(ProcessHandle handle) {
        try {
            handle.onExit().get(KILL_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // a process that does not die from SIGKILL is beyond our reach
        }
    }
}
