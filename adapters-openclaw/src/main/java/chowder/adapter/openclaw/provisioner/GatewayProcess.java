package chowder.adapter.openclaw.provisioner;

import static java.nio.charset.StandardCharsets.UTF_8;

import chowder.adapter.openclaw.instance.InstanceDirectory;
import chowder.adapter.openclaw.provisioner.sandbox.ProcessLauncher;
import chowder.adapter.openclaw.provisioner.sandbox.SandboxCell;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One launch of an {@code openclaw gateway}, its output in the instance's console log, and its pid on disk. In a
 * sandbox, the process Chowder starts is the sandbox (bubblewrap), the gateway its grandchild, and every process of
 * the tree lives in the sandbox's PID namespace, which dies with bubblewrap. Stopping sends SIGTERM to the gateway,
 * waits a grace period, then kills the sandbox (or, unconfined, every descendant seen), so no process outlives it.
 */
final class GatewayProcess {
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);
    private static final Duration KILL_WAIT = Duration.ofSeconds(5);
    private static final int TAIL_BYTES = 64 * 1024;

    private final Process process;
    private final Optional<SandboxCell> sandbox;
    private final Set<ProcessHandle> seen = ConcurrentHashMap.newKeySet();

    private GatewayProcess(Process process, Optional<SandboxCell> sandbox) {
        this.process = process;
        this.sandbox = sandbox;
        seen.add(process.toHandle());
    }

    /** Starts the unconfined gateway of {@code directory} on {@code port} as {@link GatewayCommand} describes. */
    static GatewayProcess launch(InstanceDirectory directory, GatewayLayout layout, int port,
            java.util.Map<String, String> secrets) throws IOException {
        killLeftover(directory);
        ProcessBuilder builder = GatewayCommand.of(layout, directory.root(), port, secrets);
        return started(ProcessLauncher.start(redirected(builder, directory)), directory, Optional.empty());
    }

    /** Starts the gateway of {@code directory} in {@code sandbox}, which this process owns from now on. */
    static GatewayProcess launch(SandboxCell sandbox, InstanceDirectory directory) throws IOException {
        try {
            return started(ProcessLauncher.start(redirected(sandbox.command(), directory)), directory, Optional.of(sandbox));
        } catch (IOException | RuntimeException e) {
            sandbox.close();
            throw e;
        }
    }

    private static ProcessBuilder redirected(ProcessBuilder builder, InstanceDirectory directory) {
        builder.redirectErrorStream(true).redirectOutput(directory.consoleLog().toFile());
        if (builder.redirectInput() == ProcessBuilder.Redirect.PIPE) {
            builder.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        }
        return builder;
    }

    private static GatewayProcess started(Process process, InstanceDirectory directory, Optional<SandboxCell> sandbox) throws IOException {
        GatewayProcess launched = new GatewayProcess(process, sandbox);
        Files.writeString(directory.pidFile(), Long.toString(process.pid()), UTF_8);
        return launched;
    }

    /** Kills an unconfined gateway of this directory left running by a Chowder that was killed itself. */
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

    /** Why the sandbox around a running gateway broke (its network exited), if it did. */
    Optional<String> sandboxFailure() {
        return sandbox.flatMap(SandboxCell::failure);
    }

    /** What the sandbox says about an exit: that the memory limit was reached, or nothing. */
    String exitNote() {
        return sandbox.map(SandboxCell::limitsReached).orElse("");
    }

    /**
     * Descendants can only be found while their parents live, so an unconfined gateway's are remembered whenever seen
     * (and forgotten once gone: an agent may run millions of processes). A sandbox needs none of this: its PID
     * namespace ends them all.
     */
    void rememberDescendants() {
        if (sandbox.isEmpty()) {
            seen.removeIf(handle -> !handle.isAlive());
            process.descendants().forEach(seen::add);
        }
    }

    /** SIGTERM to the gateway, a grace period, then SIGKILL for the whole tree; returns when all are gone. */
    void stop() {
        rememberDescendants();
        gateway().destroy();
        try {
            process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Set<ProcessHandle> tree = new LinkedHashSet<>(seen);
        tree.forEach(ProcessHandle::destroyForcibly);
        tree.forEach(GatewayProcess::awaitExit);
        sandbox.ifPresent(SandboxCell::close);
    }

    /**
     * The gateway itself: the process Chowder started, or in a sandbox its grandchild (bubblewrap, then the PID
     * namespace's init, then the gateway), which SIGTERM must reach since the init ignores it. Orphans the init adopted
     * are its children too, but started later.
     */
    private ProcessHandle gateway() {
        if (sandbox.isEmpty()) {
            return process.toHandle();
        }
        return process.children().flatMap(ProcessHandle::children)
                .min(Comparator.comparing(handle -> handle.info().startInstant().orElse(Instant.MAX)))
                .orElse(process.toHandle());
    }

    /**
     * The last lines of the console log, colour codes removed, at most {@code maxCharacters} long. Only its end is read:
     * the agent can make its gateway write as much as it likes.
     */
    static String logTail(Path log, int maxCharacters) {
        List<String> lines;
        try (FileChannel file = FileChannel.open(log, StandardOpenOption.READ)) {
            long size = file.size();
            long start = Math.max(0, size - TAIL_BYTES);
            ByteBuffer end = ByteBuffer.allocate((int) (size - start));
            while (end.hasRemaining() && file.read(end, start + end.position()) >= 0) {
                // reads up to the end as it was
            }
            String text = new String(end.array(), 0, end.position(), UTF_8);
            lines = text.replaceAll("\u001B\\[[0-9;]*m", "").lines().filter(line -> !line.isBlank()).toList();
            if (start > 0 && !lines.isEmpty()) {
                // the first line is most likely cut
                lines = lines.subList(1, lines.size());
            }
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
