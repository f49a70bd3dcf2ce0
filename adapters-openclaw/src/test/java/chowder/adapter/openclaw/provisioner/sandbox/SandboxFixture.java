package chowder.adapter.openclaw.provisioner.sandbox;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import chowder.testing.LoopbackPorts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real sandboxes (bubblewrap, pasta, cgroups, seccomp; Chowder's tests run as root, and {@code .ci/run} installs the
 * tools) around shell commands instead of a gateway, opened on a temporary instances directory and closed after each
 * test with whatever a test started in them.
 */
@Timeout(180)
abstract class SandboxFixture {
    static final Duration RUN_TIMEOUT = Duration.ofSeconds(60);
    static final long MEMORY = 256L * 1024 * 1024;
    static final int PROCESSES = 64;
    /** The connections a sandbox may hold at once to each host port it reaches. */
    static final int CONNECTIONS_PER_PORT = 16;
    /** Forks sleeping children until refused, says how many it made ({@code FORKED n}) and its process rlimit, then sleeps. */
    static final String FORK_BOMB = forkBomb("time.sleep(300)\n");
    /**
     * A range of uids of this run's own: a sandbox's launch kills every process of its uid, so another run of these tests
     * on the host (another worktree, CI) must not share it.
     */
    static final long FIRST_UID = SandboxConfig.DEFAULT_FIRST_UID + (long) SandboxConfig.UID_RANGE * new SecureRandom().nextInt(1, 500);
    /** The organization the instances of a test belong to unless it names another: one of this run's own, as uids are. */
    static final String ORGANIZATION = UUID.randomUUID().toString();

    @TempDir
    Path instancesDir;
    @TempDir
    Path runtime;
    /** Chowder's data directory, for the provisioner of a next start. */
    @TempDir
    Path dataDir;

    final List<AutoCloseable> cleanup = new ArrayList<>();
    Sandbox sandbox;

    @BeforeEach
    void createSandbox() throws IOException {
        Files.writeString(runtime.resolve("marker"), "the OpenClaw install", UTF_8);
        // As an install made with the usual umask is: sandboxes run as other users.
        Files.setPosixFilePermissions(runtime, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        sandbox = sandbox(List.of());
        assertThat(sandbox.problem()).as("this host must be able to run sandboxes (root, bubblewrap, passt, nftables)").isEmpty();
    }

    @AfterEach
    void closeEverything() throws Exception {
        for (AutoCloseable closeable : cleanup.reversed()) {
            closeable.close();
        }
        sandbox.close();
    }

    /** A Python program that forks sleeping children until refused, says its process rlimit and how many it made, then runs {@code then}. */
    static String forkBomb(String then) {
        return """
                import os, resource, signal, time
                print("NPROC", resource.getrlimit(resource.RLIMIT_NPROC)[0], flush=True)
                children = []
                for _ in range(200):
                    try:
                        pid = os.fork()
                    except OSError:
                        break
                    if pid == 0:
                        time.sleep(300)
                        os._exit(0)
                    children.append(pid)
                print("FORKED", len(children), flush=True)
                """ + then;
    }

    Sandbox sandbox(List<EgressRule> egress) {
        return new Sandbox(config(egress), instancesDir, Map.of("PATH", System.getenv("PATH")), new SecureRandom());
    }

    static SandboxConfig config(List<EgressRule> egress) {
        return config(FIRST_UID, 1.0, egress);
    }

    static SandboxConfig config(long firstUid, double cpus, List<EgressRule> egress) {
        return config(firstUid, cpus, SandboxConfig.OrganizationLimits.NONE, egress);
    }

    static SandboxConfig config(long firstUid, double cpus, SandboxConfig.OrganizationLimits perOrganization, List<EgressRule> egress) {
        return new SandboxConfig(SandboxConfig.Mode.BUBBLEWRAP, firstUid, MEMORY, PROCESSES, cpus, SandboxConfig.DEFAULT_MAX_OPEN_FILES,
                CONNECTIONS_PER_PORT, egress, perOrganization);
    }

    Path instance(String name) throws IOException {
        return instance(instancesDir, name);
    }

    static Path instance(Path instancesDir, String name) throws IOException {
        Path root = instancesDir.resolve(name);
        for (String directory : List.of("state", "workspace", "home")) {
            Files.createDirectories(root.resolve(directory));
        }
        Path config = Files.createDirectories(root.resolve("config")).resolve("openclaw.json");
        if (!Files.exists(config)) {
            Files.writeString(config, "{}", UTF_8);
        }
        return root;
    }

    SandboxCell.Request request(String name, int gatewayPort, List<String> command) throws IOException {
        return request(instancesDir, runtime, ORGANIZATION, name, gatewayPort, command);
    }

    /** What a launch of instance {@code name} of {@link #ORGANIZATION} (its directories made under {@code instancesDir}) asks of the sandbox. */
    static SandboxCell.Request request(Path instancesDir, Path runtime, String name, int gatewayPort, List<String> command) throws IOException {
        return request(instancesDir, runtime, ORGANIZATION, name, gatewayPort, command);
    }

    /** What a launch of instance {@code name} of {@code organization} asks of the sandbox. */
    static SandboxCell.Request request(Path instancesDir, Path runtime, String organization, String name, int gatewayPort, List<String> command)
            throws IOException {
        Path root = instance(instancesDir, name);
        return new SandboxCell.Request(organization, name, root, runtime, root.resolve("config"), root.resolve("state"), root.resolve("workspace"),
                root.resolve("home"), gatewayPort, List.of(), command, Map.of("PATH", "/usr/bin:/bin"));
    }

    Run run(String name, String script) throws Exception {
        return start(name, LoopbackPorts.free(), List.of("/bin/sh", "-c", script)).finish();
    }

    Started start(String name, int gatewayPort, List<String> command) throws Exception {
        return launch(name, open(name, gatewayPort, command));
    }

    /** A sandbox of an instance of {@code organization}'s, around {@code command}, without a port of its own in use. */
    Started start(String organization, String name, List<String> command) throws Exception {
        SandboxCell cell = sandbox.open(request(instancesDir, runtime, organization, name, LoopbackPorts.free(), command));
        cleanup.add(cell);
        return launch(name, cell);
    }

    SandboxCell open(String name, int gatewayPort, List<String> command) throws IOException {
        SandboxCell cell = sandbox.open(request(name, gatewayPort, command));
        cleanup.add(cell);
        return cell;
    }

    Started launch(String name, SandboxCell cell) throws IOException {
        Path output = Files.createTempFile(instancesDir, name, ".out");
        Process process = ProcessLauncher.start(cell.command().redirectErrorStream(true).redirectOutput(output.toFile()));
        cleanup.add(process::destroyForcibly);
        return new Started(name, cell, process, output);
    }

    record Started(String instance, SandboxCell cell, Process process, Path output) {
        void awaitOutput(String text) throws Exception {
            long deadline = System.nanoTime() + RUN_TIMEOUT.toNanos();
            while (!Files.readString(output, UTF_8).contains(text)) {
                assertThat(process.isAlive()).as("sandbox exited early: %s", Files.readString(output, UTF_8)).isTrue();
                assertThat(System.nanoTime() - deadline).as("waiting for %s", text).isNegative();
                Thread.sleep(20);
            }
        }

        Run finish() throws Exception {
            assertThat(process.waitFor(RUN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).as("sandbox finished").isTrue();
            String limits = cell.limitsReached();
            cell.close();
            return new Run(Files.readString(output, UTF_8), limits);
        }
    }

    record Run(String output, String limitsReached) {
        List<String> lines() {
            return output.lines().toList();
        }
    }

    static List<ProcessHandle> processesOf(long uid) {
        return ProcessHandle.allProcesses().filter(process -> HostProcesses.uidOf(process) == uid).toList();
    }

    /** An instance name no other run of these tests on this host uses at the same time (network namespaces and cgroups are host-wide). */
    static String unique(String name) {
        return name + "-" + Long.toHexString(new SecureRandom().nextLong() & 0xffffffffL);
    }
}
