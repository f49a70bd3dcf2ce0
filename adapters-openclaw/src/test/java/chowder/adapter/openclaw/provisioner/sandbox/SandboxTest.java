package chowder.adapter.openclaw.provisioner.sandbox;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import chowder.adapter.openclaw.provisioner.LocalGatewayProvisioner;
import chowder.adapter.openclaw.provisioner.ModelProviders;
import chowder.adapter.openclaw.provisioner.ProvisionerConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Real sandboxes (bubblewrap, pasta, cgroups, seccomp; Chowder's tests run as root, and {@code .ci/run} installs the
 * tools) around shell commands instead of a gateway: each escape an agent's {@code exec} tool could try fails, and
 * what the sandbox must allow works. A sandboxed command that did escape would still run as an unprivileged uid.
 */
@Timeout(180)
class SandboxTest {
    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(60);
    private static final long MEMORY = 256L * 1024 * 1024;
    private static final int PROCESSES = 64;
    /** Forks sleeping children until refused, says how many it made ({@code FORKED n}) and its process rlimit, then sleeps. */
    private static final String FORK_BOMB = forkBomb("time.sleep(300)\n");
    /**
     * A range of uids of this run's own: a sandbox's launch kills every process of its uid, so another run of these tests
     * on the host (another worktree, CI) must not share it.
     */
    static final long FIRST_UID = SandboxConfig.DEFAULT_FIRST_UID + (long) SandboxConfig.UID_RANGE * new SecureRandom().nextInt(1, 500);

    @TempDir
    Path instancesDir;
    @TempDir
    Path runtime;
    /** Chowder's data directory, for the provisioner of a next start. */
    @TempDir
    Path dataDir;

    private final List<AutoCloseable> cleanup = new ArrayList<>();
    private Sandbox sandbox;

    @BeforeEach
    void createSandbox() throws IOException {
        Files.writeString(runtime.resolve("marker"), "the OpenClaw install", UTF_8);
        // As an install made with the usual umask is: sandboxes run as other users.
        Files.setPosixFilePermissions(runtime, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        sandbox = sandbox(List.of());
        assertThat(sandbox.problem()).as("this host must be able to run sandboxes (root, bubblewrap, passt)").isEmpty();
    }

    @AfterEach
    void closeEverything() throws Exception {
        for (AutoCloseable closeable : cleanup.reversed()) {
            closeable.close();
        }
        sandbox.close();
    }

    /** A Python program that forks sleeping children until refused, says its process rlimit and how many it made, then runs {@code then}. */
    private static String forkBomb(String then) {
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

    @Test
    void runsAsAnUnprivilegedUidOfItsOwnWithoutCapabilitiesOrNewNamespaces() throws Exception {
        Run first = run("one", "id -u; id -G; grep -E '^(CapEff|CapBnd|NoNewPrivs|Seccomp):' /proc/self/status; hostname; "
                + "unshare -U -r true && echo USERNS-CREATED; unshare -n true && echo NETNS-CREATED; "
                // vsock (a VM's channel to its host) and raw packet sockets are not confined by a network namespace.
                + "/usr/bin/python3 -c 'import socket\nfor family in (socket.AF_VSOCK, socket.AF_PACKET):\n    try:\n"
                + "        socket.socket(family, socket.SOCK_DGRAM); print(\"OPENED\", family)\n    except OSError as e: print(\"refused\", e)'");
        Run second = run("two", "id -u");

        long uid = Long.parseLong(first.lines().getFirst());
        assertThat(uid).isBetween(FIRST_UID, FIRST_UID + SandboxConfig.UID_RANGE);
        assertThat(first.lines().get(1)).isEqualTo(Long.toString(uid));
        assertThat(Long.parseLong(second.lines().getFirst())).isNotEqualTo(uid).isNotZero();
        assertThat(first.output()).contains("CapEff:\t0000000000000000", "CapBnd:\t0000000000000000", "NoNewPrivs:\t1", "Seccomp:\t2",
                "openclaw");
        assertThat(first.output()).doesNotContain("USERNS-CREATED", "NETNS-CREATED", "OPENED").contains("Operation not permitted")
                .contains("refused [Errno 97] Address family not supported by protocol");
    }

    @Test
    void seesOnlyItsOwnDirectoriesAndCanWriteOnlyThere() throws Exception {
        Path other = instance("other");
        Files.writeString(other.resolve("workspace/other-tenant.txt"), "other tenant's data", UTF_8);
        Files.writeString(instancesDir.resolve("master.key"), "chowder's master key", UTF_8);

        Run run = run("mine", "ls /; echo ---; cat " + instancesDir.resolve("master.key") + "; cat " + other.resolve("workspace/other-tenant.txt")
                + "; find / -name other-tenant.txt -o -name master.key 2>/dev/null; ls /root /var /home 2>&1; cat /etc/shadow; "
                + "cat /opt/openclaw/marker; echo; touch /usr/planted /opt/openclaw/planted /etc/planted /instance/config/openclaw.json /instance/config/new 2>&1; "
                + "echo written > /instance/workspace/by-the-agent.txt && echo WROTE");

        assertThat(run.output().split("---")[0].strip().lines()).containsExactlyInAnyOrder("bin", "dev", "etc", "instance", "lib", "lib64",
                "opt", "proc", "sbin", "tmp", "usr");
        assertThat(run.output()).doesNotContain("chowder's master key", "other tenant's data", "root:")
                .contains("the OpenClaw install", "WROTE", "Read-only file system");
        Path written = instancesDir.resolve("mine/workspace/by-the-agent.txt");
        assertThat(written).hasContent("written");
        assertThat(SandboxIdentity.owner(written)).isEqualTo(Long.parseLong(Files.readString(instancesDir.resolve("mine/sandbox-uid")).strip()));
        assertThat(Path.of("/usr/planted")).doesNotExist();
        assertThat(runtime.resolve("planted")).doesNotExist();
        assertThat(instancesDir.resolve("mine/config")).isDirectoryNotContaining("glob:**/new");
        assertThat(instancesDir.resolve("mine/config/openclaw.json")).hasContent("{}");
    }

    @Test
    void neitherSeesNorSignalsAnyProcessOfTheHost() throws Exception {
        Process hostProcess = new ProcessBuilder("sleep", "300").start();
        cleanup.add(hostProcess::destroyForcibly);

        Run run = run("killer", "ls /proc | grep -E '^[0-9]+$' | wc -l; kill -9 " + hostProcess.pid() + " 2>&1; kill -9 -1; echo after");

        assertThat(Integer.parseInt(run.lines().getFirst().strip())).isLessThan(10);
        assertThat(run.output()).contains("No such process");
        assertThat(hostProcess.isAlive()).isTrue();
        assertThat(ProcessHandle.current().isAlive()).isTrue();
    }

    @Test
    void reachesTheForwardedPortsOfTheHostAndNothingElse() throws Exception {
        try (ServerSocket allowed = greeter("allowed"); ServerSocket forbidden = greeter("forbidden")) {
            sandbox.close();
            sandbox = sandbox(List.of(EgressRule.parse("127.0.0.1:" + allowed.getLocalPort())));
            // Its trial sandbox first, as at Chowder's start: it takes a free port of its own for a moment.
            assertThat(sandbox.problem()).isEmpty();
            int gatewayPort = freePort();
            String connect = """
                    import socket, sys
                    for host, port in [("127.0.0.1", %d), ("127.0.0.1", %d), ("127.0.0.1", 5432), ("169.254.169.254", 80), ("10.0.0.1", 80)]:
                        try:
                            s = socket.create_connection((host, port), timeout=3)
                            print(host, port, "OPEN", s.recv(64).decode())
                        except Exception as e:
                            print(host, port, "REFUSED", type(e).__name__)
                    server = socket.socket(); server.bind(("127.0.0.1", %d)); server.listen(1)
                    print("LISTENING", flush=True)
                    conn, _ = server.accept(); conn.sendall(b"hello from inside"); conn.close()
                    """.formatted(allowed.getLocalPort(), forbidden.getLocalPort(), gatewayPort);
            Started started = start("networked", gatewayPort, List.of("/usr/bin/python3", "-c", connect));
            started.awaitOutput("LISTENING");
            assertThat(readFrom(gatewayPort)).isEqualTo("hello from inside");
            Run run = started.finish();

            assertThat(run.output()).contains("127.0.0.1 " + allowed.getLocalPort() + " OPEN allowed")
                    .contains("127.0.0.1 " + forbidden.getLocalPort() + " REFUSED")
                    .contains("127.0.0.1 5432 REFUSED")
                    .contains("169.254.169.254 80 REFUSED")
                    .contains("10.0.0.1 80 REFUSED");
        }
    }

    @Test
    void limitsMemoryProcessesAndOpenFiles() throws Exception {
        Run memory = run("hungry", "/usr/bin/python3 -c 'blocks = [bytearray(64 * 1024 * 1024) for _ in range(8)]; print(\"SURVIVED\")'; echo exit=$?");
        assertThat(memory.output()).doesNotContain("SURVIVED").contains("exit=137");
        assertThat(memory.limitsReached()).contains("memory limit of 256 MiB");

        String forkBomb = forkBomb("for pid in children:\n    os.kill(pid, signal.SIGKILL)\n");
        Run processes = start("forking", freePort(), List.of("/bin/sh", "-c", "/usr/bin/python3 -c \"$0\"; ulimit -n; ulimit -c", forkBomb)).finish();
        String forked = processes.lines().stream().filter(line -> line.startsWith("FORKED ")).findFirst().orElseThrow();
        assertThat(Integer.parseInt(forked.substring("FORKED ".length()).strip())).isPositive().isLessThan(PROCESSES);
        assertThat(processes.lines()).contains("4096", "0");
    }

    @Test
    void leavesNothingBehindOnceClosed() throws Exception {
        Started started = start("lingering", freePort(), List.of("/bin/sh", "-c", "sleep 300 & sleep 300 & echo STARTED; wait"));
        started.awaitOutput("STARTED");
        long uid = started.cell().uid();
        assertThat(processesOf(uid)).hasSizeGreaterThanOrEqualTo(2);
        assertThat(Path.of("/run/netns", NetworkCell.namespaceName(started.instance()))).exists();

        started.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        started.cell().close();

        assertThat(processesOf(uid)).isEmpty();
        assertThat(Path.of("/run/netns", NetworkCell.namespaceName(started.instance()))).doesNotExist();
        try (var cgroups = Files.walk(Path.of("/sys/fs/cgroup"), 8)) {
            assertThat(cgroups.filter(path -> path.getFileName() != null && path.getFileName().toString().equals(started.instance())).toList()).isEmpty();
        }
    }

    @Test
    void diesWithChowderEvenOnSigkillAndTheNextStartRemovesWhatItLeft() throws Exception {
        String name = unique("killed");
        Path log = instancesDir.resolve("holder.log");
        Process chowder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), SandboxHolder.class.getName(),
                instancesDir.toString(), runtime.toString(), name, Long.toString(FIRST_UID))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        cleanup.add(chowder::destroyForcibly);
        String[] holding = awaitLine(log, "HOLDING ", chowder).split(" ");
        long uid = Long.parseLong(holding[1]);
        try {
            ProcessHandle bubblewrap = ProcessHandle.of(Long.parseLong(holding[2])).orElseThrow();
            ProcessHandle pasta = ProcessHandle.of(Long.parseLong(Files.readString(instancesDir.resolve(name + "/sandbox/pasta.pid"), UTF_8).strip()))
                    .orElseThrow();
            List<ProcessHandle> agent = processesOf(uid);
            assertThat(agent).as("the shell and its two sleeps").hasSizeGreaterThanOrEqualTo(3);
            List<Path> cgroups = new ArrayList<>();
            for (String controller : List.of("memory", "pids", "cpu")) {
                cgroups.add(cgroupOf(agent.getFirst().pid(), controller));
            }
            assertThat(cgroups).allSatisfy(cgroup -> assertThat(cgroup.getFileName()).hasToString(name));
            Path namespace = Path.of("/run/netns", NetworkCell.namespaceName(name));
            assertThat(namespace).exists();

            chowder.destroyForcibly();
            assertThat(chowder.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(chowder.exitValue()).as("killed by SIGKILL").isEqualTo(128 + 9);

            // Nothing kills them but their parent-death signals: no code of Chowder runs any more.
            long deadline = System.nanoTime() + RUN_TIMEOUT.toNanos();
            while (!processesOf(uid).isEmpty() || bubblewrap.isAlive() || pasta.isAlive()) {
                assertThat(System.nanoTime() - deadline).as("left running after Chowder was killed: processes of uid %d %s, bubblewrap %s, "
                        + "pasta %s", uid, processesOf(uid), bubblewrap.isAlive(), pasta.isAlive()).isNegative();
                Thread.sleep(50);
            }
            assertThat(agent).noneMatch(ProcessHandle::isAlive);
            // What a killed Chowder cannot remove, its next start does.
            assertThat(namespace).exists();
            assertThat(cgroups).allSatisfy(cgroup -> assertThat(cgroup).isDirectory());
            try (LocalGatewayProvisioner next = new LocalGatewayProvisioner(provisionerConfig(), Map.of("PATH", System.getenv("PATH")),
                    new SecureRandom(), Clock.systemUTC())) {
                next.reportSandbox();
            }
            assertThat(namespace).doesNotExist();
            assertThat(cgroups).allSatisfy(cgroup -> assertThat(cgroup).doesNotExist());
        } finally {
            SandboxIdentity.killProcessesOf(uid);
            sandbox.sweep(name);
        }
    }

    @Test
    void limitsCpuByTheQuotaOfItsCgroup() throws Exception {
        sandbox.close();
        sandbox = new Sandbox(config(FIRST_UID, 0.1, List.of()), instancesDir, Map.of("PATH", System.getenv("PATH")), new SecureRandom());
        assertThat(sandbox.problem()).isEmpty();
        String busy = """
                import time
                start, cpu = time.monotonic(), time.process_time()
                while time.monotonic() - start < 3:
                    pass
                print("USED", time.process_time() - cpu, "OF", time.monotonic() - start, flush=True)
                time.sleep(300)
                """;
        Started started = start(unique("busy"), freePort(), List.of("/usr/bin/python3", "-c", busy));
        started.awaitOutput("USED ");
        Path cpu = cgroupOf(processesOf(started.cell().uid()).getFirst().pid(), "cpu");

        assertThat(cpuQuotaAndPeriod(cpu)).as("CHOWDER_SANDBOX_CPUS=0.1 in %s", cpu).containsExactly(10_000L, 100_000L);
        assertThat(counter(cpu.resolve("cpu.stat"), "nr_throttled")).as("periods in which the busy loop was stopped").isPositive();
        String[] used = Files.readString(started.output(), UTF_8).lines().filter(line -> line.startsWith("USED ")).findFirst().orElseThrow()
                .split(" ");
        // At most a tenth of the time it ran (plus a period): a quarter holds however loaded the machine is.
        assertThat(Double.parseDouble(used[1])).as("CPU seconds of a busy loop over %s s", used[3]).isLessThan(Double.parseDouble(used[3]) / 4);
    }

    @Test
    void theCgroupsProcessLimitStopsAForkBombItsRlimitWouldLetThrough() throws Exception {
        String name = unique("bomb");
        SandboxCell cell = open(name, freePort(), List.of("/usr/bin/python3", "-c", FORK_BOMB));
        // The per-uid rlimit, set to the same number, would stop the bomb too: raised here, only the cgroup is left.
        List<String> command = cell.command().command();
        int rlimit = command.indexOf("--nproc=" + PROCESSES + ":" + PROCESSES);
        assertThat(rlimit).as("the process rlimit in %s", command).isNotNegative();
        command.set(rlimit, "--nproc=4096:4096");
        Started started = launch(name, cell);
        started.awaitOutput("FORKED ");
        Path pids = cgroupOf(processesOf(cell.uid()).getFirst().pid(), "pids");

        assertThat(Files.readString(pids.resolve("pids.max"), UTF_8).strip()).isEqualTo(Integer.toString(PROCESSES));
        assertThat(counter(pids.resolve("pids.events"), "max")).as("forks the cgroup %s refused", pids).isPositive();
        List<String> lines = Files.readString(started.output(), UTF_8).lines().toList();
        assertThat(lines).as("the rlimit it ran with").contains("NPROC 4096");
        int forked = Integer.parseInt(lines.stream().filter(line -> line.startsWith("FORKED ")).findFirst().orElseThrow().substring(7));
        assertThat(forked).isPositive().isLessThan(PROCESSES);
    }

    @Test
    void withoutUsableCgroupsItStillConfinesAndBoundsProcessesButWarnsThatMemoryAndCpuAreNotLimited() throws Exception {
        ListAppender<ILoggingEvent> captured = new ListAppender<>();
        captured.start();
        Logger logger = (Logger) LoggerFactory.getLogger(Sandbox.class);
        logger.addAppender(captured);
        try {
            sandbox.close();
            sandbox = new Sandbox(config(List.of()), instancesDir, SandboxTools.searchPath(System.getenv("PATH")), new SecureRandom(), Cgroups.NONE);
            assertThat(sandbox.problem()).isEmpty();
        } finally {
            logger.detachAppender(captured);
        }
        assertThat(captured.list).filteredOn(event -> event.getLevel() == Level.WARN).extracting(ILoggingEvent::getFormattedMessage)
                .anyMatch(message -> message.startsWith("Sandbox: bubblewrap for every provisioned gateway")
                        && message.contains("memory and CPU are NOT limited"));

        String name = unique("uncapped");
        Started started = start(name, freePort(), List.of("/usr/bin/python3", "-c", FORK_BOMB));
        started.awaitOutput("FORKED ");
        long uid = started.cell().uid();
        assertThat(cgroupOf(processesOf(uid).getFirst().pid(), "pids").getFileName()).doesNotHaveToString(name);
        List<String> lines = Files.readString(started.output(), UTF_8).lines().toList();
        assertThat(lines).contains("NPROC " + PROCESSES);
        int forked = Integer.parseInt(lines.stream().filter(line -> line.startsWith("FORKED ")).findFirst().orElseThrow().substring(7));
        assertThat(forked).as("processes bounded by the uid's rlimit alone").isPositive().isLessThan(PROCESSES);
        assertThat(uid).isBetween(FIRST_UID, FIRST_UID + SandboxConfig.UID_RANGE);
    }

    @Test
    void refusesAnOpenClawInstallOtherUsersCannotRead() throws IOException {
        Files.setPosixFilePermissions(runtime, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        assertThatThrownBy(() -> sandbox.open(request("unreadable", freePort(), List.of("/bin/true"))))
                .isInstanceOf(IOException.class).hasMessageContaining(runtime.toString()).hasMessageContaining("chmod -R a+rX");
    }

    @Test
    void namesWhatIsMissingInsteadOfRunningUnconfined(@TempDir Path tools) throws IOException {
        for (String tool : List.of("pasta", "ip", "nsenter", "setpriv", "prlimit", "sh")) {
            Files.createSymbolicLink(tools.resolve(tool), which(tool));
        }
        try (Sandbox withoutBubblewrap = new Sandbox(config(List.of()), instancesDir, tools.toString(), new SecureRandom(), Cgroups.NONE)) {
            assertThat(withoutBubblewrap.problem()).hasValueSatisfying(problem -> assertThat(problem)
                    .contains("bwrap (Debian package bubblewrap)").contains("CHOWDER_SANDBOX=off").doesNotContain("pasta ("));
            assertThatThrownBy(() -> withoutBubblewrap.open(request("refused", freePort(), List.of("/bin/true"))))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("bwrap");
        }
        assertThat(Files.exists(instancesDir.resolve("refused/workspace/.ran"))).isFalse();
    }

    private Sandbox sandbox(List<EgressRule> egress) {
        return new Sandbox(config(egress), instancesDir, Map.of("PATH", System.getenv("PATH")), new SecureRandom());
    }

    private static SandboxConfig config(List<EgressRule> egress) {
        return config(FIRST_UID, 1.0, egress);
    }

    static SandboxConfig config(long firstUid, double cpus, List<EgressRule> egress) {
        return new SandboxConfig(SandboxConfig.Mode.BUBBLEWRAP, firstUid, MEMORY, PROCESSES, cpus, SandboxConfig.DEFAULT_MAX_OPEN_FILES, egress);
    }

    private Path instance(String name) throws IOException {
        return instance(instancesDir, name);
    }

    private static Path instance(Path instancesDir, String name) throws IOException {
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

    private SandboxCell.Request request(String name, int gatewayPort, List<String> command) throws IOException {
        return request(instancesDir, runtime, name, gatewayPort, command);
    }

    /** What a launch of instance {@code name} (its directories made under {@code instancesDir}) asks of the sandbox. */
    static SandboxCell.Request request(Path instancesDir, Path runtime, String name, int gatewayPort, List<String> command) throws IOException {
        Path root = instance(instancesDir, name);
        return new SandboxCell.Request(name, root, runtime, root.resolve("config"), root.resolve("state"), root.resolve("workspace"),
                root.resolve("home"), gatewayPort, List.of(), command, Map.of("PATH", "/usr/bin:/bin"));
    }

    private Run run(String name, String script) throws Exception {
        return start(name, freePort(), List.of("/bin/sh", "-c", script)).finish();
    }

    private Started start(String name, int gatewayPort, List<String> command) throws Exception {
        return launch(name, open(name, gatewayPort, command));
    }

    private SandboxCell open(String name, int gatewayPort, List<String> command) throws IOException {
        SandboxCell cell = sandbox.open(request(name, gatewayPort, command));
        cleanup.add(cell);
        return cell;
    }

    private Started launch(String name, SandboxCell cell) throws IOException {
        Path output = Files.createTempFile(instancesDir, name, ".out");
        Process process = ProcessLauncher.start(cell.command().redirectErrorStream(true).redirectOutput(output.toFile()));
        cleanup.add(process::destroyForcibly);
        return new Started(name, cell, process, output);
    }

    private record Started(String instance, SandboxCell cell, Process process, Path output) {
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

    private record Run(String output, String limitsReached) {
        List<String> lines() {
            return output.lines().toList();
        }
    }

    private static ServerSocket greeter(String greeting) throws IOException {
        ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            while (!server.isClosed()) {
                try (Socket client = server.accept(); OutputStream out = client.getOutputStream()) {
                    out.write(greeting.getBytes(UTF_8));
                } catch (IOException closed) {
                    return;
                }
            }
        });
        return server;
    }

    private static String readFrom(int port) throws Exception {
        long deadline = System.nanoTime() + RUN_TIMEOUT.toNanos();
        while (true) {
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port); InputStream in = socket.getInputStream()) {
                String text = new String(in.readAllBytes(), UTF_8);
                if (!text.isEmpty()) {
                    return text;
                }
            } catch (IOException notYet) {
                // pasta is up before the listener inside is
            }
            assertThat(System.nanoTime() - deadline).as("connecting to the sandbox's port").isNegative();
            Thread.sleep(50);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static List<ProcessHandle> processesOf(long uid) {
        return ProcessHandle.allProcesses().filter(process -> HostProcesses.uidOf(process) == uid).toList();
    }

    /** An instance name no other run of these tests on this host uses at the same time (network namespaces and cgroups are host-wide). */
    private static String unique(String name) {
        return name + "-" + Long.toHexString(new SecureRandom().nextLong() & 0xffffffffL);
    }

    private static String awaitLine(Path log, String prefix, Process process) throws Exception {
        long deadline = System.nanoTime() + RUN_TIMEOUT.toNanos();
        while (true) {
            var line = Files.readString(log, UTF_8).lines().filter(candidate -> candidate.startsWith(prefix)).findFirst();
            if (line.isPresent()) {
                return line.get();
            }
            assertThat(process.isAlive()).as("exited early: %s", Files.readString(log, UTF_8)).isTrue();
            assertThat(System.nanoTime() - deadline).as("waiting for %s in %s", prefix, Files.readString(log, UTF_8)).isNegative();
            Thread.sleep(20);
        }
    }

    /** A local provisioner on this test's instances directory, as Chowder's next start builds it. */
    private ProvisionerConfig provisionerConfig() {
        ProvisionerConfig defaults = ProvisionerConfig.disabled(dataDir);
        return new ProvisionerConfig(true, Optional.of(runtime), defaults.installRoot(), defaults.openclawVersion(), defaults.nodeVersion(), instancesDir,
                dataDir.resolve("runtime"), defaults.retention(), defaults.readyTimeout(), defaults.maxRestartBackoff(), ModelProviders.HOSTED_ONLY,
                defaults.maxFileBytes(), defaults.maxListEntries(), config(List.of()));
    }

    /**
     * The directory of the cgroup {@code pid} is in, in the hierarchy of {@code controller} (or the unified one), as the
     * kernel reports it in {@code /proc}, not as Chowder recorded it.
     */
    private static Path cgroupOf(long pid, String controller) throws IOException {
        String v1 = null;
        String unified = null;
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "cgroup"), UTF_8)) {
            String[] fields = line.split(":", 3);
            if (List.of(fields[1].split(",")).contains(controller)) {
                v1 = fields[2];
            } else if (fields[0].equals("0") && fields[1].isEmpty()) {
                unified = fields[2];
            }
        }
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"), UTF_8)) {
            List<String> fields = List.of(line.split(" "));
            int separator = fields.indexOf("-");
            String type = fields.get(separator + 1);
            boolean hierarchy = v1 != null
                    ? type.equals("cgroup") && List.of(fields.get(separator + 3).split(",")).contains(controller)
                    : type.equals("cgroup2") && unified != null;
            if (hierarchy) {
                String path = v1 != null ? v1 : unified;
                String mountRoot = fields.get(3);
                return Path.of(fields.get(4), mountRoot.equals("/") ? path : path.substring(mountRoot.length()));
            }
        }
        throw new AssertionError("no " + controller + " cgroup for process " + pid);
    }

    /** The CFS quota and period of a cpu cgroup, in microseconds (cgroup v1 or v2). */
    private static List<Long> cpuQuotaAndPeriod(Path cgroup) throws IOException {
        if (Files.exists(cgroup.resolve("cpu.max"))) {
            return java.util.Arrays.stream(Files.readString(cgroup.resolve("cpu.max"), UTF_8).strip().split(" ")).map(Long::parseLong).toList();
        }
        return List.of(Long.parseLong(Files.readString(cgroup.resolve("cpu.cfs_quota_us"), UTF_8).strip()),
                Long.parseLong(Files.readString(cgroup.resolve("cpu.cfs_period_us"), UTF_8).strip()));
    }

    /** The value of {@code key} in a cgroup file of {@code key value} lines. */
    private static long counter(Path file, String key) throws IOException {
        return Files.readAllLines(file, UTF_8).stream().map(line -> line.strip().split("\\s+")).filter(fields -> fields[0].equals(key))
                .mapToLong(fields -> Long.parseLong(fields[1])).findFirst().orElseThrow(() -> new AssertionError("no " + key + " in " + file));
    }

    private static Path which(String tool) {
        for (String directory : SandboxTools.searchPath(System.getenv("PATH")).split(":")) {
            Path candidate = Path.of(directory.isEmpty() ? "." : directory, tool);
            if (Files.isExecutable(candidate)) {
                return candidate.toAbsolutePath();
            }
        }
        throw new AssertionError(tool + " not found");
    }
}
