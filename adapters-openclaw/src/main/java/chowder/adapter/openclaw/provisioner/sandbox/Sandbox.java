package chowder.adapter.openclaw.provisioner.sandbox;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * How Chowder confines the gateways it runs: with {@link SandboxConfig.Mode#BUBBLEWRAP}, each in a {@link SandboxCell}
 * of its own (uid, namespaces, cgroup, seccomp filter, network with a proxy as its only way out); with
 * {@link SandboxConfig.Mode#OFF}, not at all. Whether confinement works on this host is checked for real (a trial
 * sandbox) before the first gateway starts, and again after a failure, so that a missing tool or a kernel that refuses
 * namespaces is an error that names it, never a gateway that runs unconfined.
 */
public final class Sandbox implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Sandbox.class);
    private static final Duration RECHECK_AFTER_FAILURE = Duration.ofSeconds(10);
    // The largest there is: when the host runs out of memory, a tenant's processes go before anything else.
    private static final int OOM_SCORE_ADJUSTMENT = 1000;
    /** How the names of trial sandboxes' cgroups and network namespaces begin. */
    private static final String TRIAL = "check-";
    private static final Duration STALE_TRIAL = Duration.ofMinutes(5);
    private static final Duration TREE_REMOVAL_TIMEOUT = Duration.ofMinutes(10);

    private final SandboxConfig config;
    private final Path instancesDir;
    private final String hostPath;
    private final SecureRandom random;
    private final SandboxIdentity identity;
    private Cgroups cgroups;
    private final Optional<byte[]> seccompProgram;
    private SandboxTools tools;
    private EgressProxy egress;
    private Optional<String> problem;
    private long checkedAtNanos;

    /**
     * @param environment Chowder's environment; the sandbox's tools are looked up on its {@code PATH}
     */
    public Sandbox(SandboxConfig config, Path instancesDir, Map<String, String> environment, SecureRandom random) {
        this(config, instancesDir, SandboxTools.searchPath(requireNonNull(environment, "environment is null").get("PATH")), random,
                Cgroups.detect(Path.of("/proc/self/mountinfo"), Path.of("/proc/self/cgroup")));
    }

    /** @param toolPath the directories, colon-separated, where the sandbox's tools are looked for */
    Sandbox(SandboxConfig config, Path instancesDir, String toolPath, SecureRandom random, Cgroups cgroups) {
        this.config = requireNonNull(config, "config is null");
        this.instancesDir = requireNonNull(instancesDir, "instancesDir is null");
        this.hostPath = requireNonNull(toolPath, "toolPath is null");
        this.random = requireNonNull(random, "random is null");
        this.identity = new SandboxIdentity(instancesDir, config.firstUid());
        this.cgroups = requireNonNull(cgroups, "cgroups is null");
        this.seccompProgram = seccompProgram(System.getProperty("os.arch"));
    }

    /** What instances show as their {@code sandbox}: {@code bubblewrap} or {@code off}. */
    public String name() {
        return config.mode().wireName();
    }

    /** Whether gateways run in sandboxes (and so see {@link SandboxPaths}, not the host's paths). */
    public boolean confines() {
        return config.mode() == SandboxConfig.Mode.BUBBLEWRAP;
    }

    /**
     * Why gateways cannot be confined on this host right now (a missing tool, not root, namespaces refused), or empty
     * when they can or the sandbox is off. Checked with a trial sandbox the first time, and again at most every
     * {@link #RECHECK_AFTER_FAILURE} while it fails, so that installing what was missing is enough.
     */
    public synchronized Optional<String> problem() {
        if (!confines()) {
            return Optional.empty();
        }
        if (problem == null || problem.isPresent() && System.nanoTime() - checkedAtNanos > RECHECK_AFTER_FAILURE.toNanos()) {
            problem = check();
            checkedAtNanos = System.nanoTime();
            if (problem.isEmpty()) {
                // Without cgroups one tenant can take the host's memory and CPU: a warning, not a line among others.
                log.atLevel(cgroups.enforces() ? Level.INFO : Level.WARN)
                        .log("Sandbox: bubblewrap for every provisioned gateway; limits {} (memory {} MiB, {} processes, {} CPUs, {} open files); "
                                + "seccomp filter {}; egress: Chowder's model endpoint{}",
                        cgroups.enforces() ? "by " + cgroups.describe()
                                : "by rlimits only (no usable cgroup memory, pids and cpu controllers: memory and CPU are NOT limited)",
                        config.memoryBytes() / (1024 * 1024), config.maxProcesses(), config.cpus(), config.maxOpenFiles(),
                        seccompProgram.isPresent() ? "on" : "unavailable on " + System.getProperty("os.arch"),
                        config.egressAllowed().isEmpty() ? " only" : " and " + config.egressAllowed());
            } else {
                log.error("Provisioned instances cannot start: {}", problem.get());
            }
        }
        return problem;
    }

    private Optional<String> check() {
        SandboxTools.Result located = SandboxTools.locate(hostPath);
        if (located.tools().isEmpty()) {
            return Optional.of("the gateway sandbox needs bubblewrap, pasta, iproute2 and util-linux: " + located.problem()
                    + ". Install them (Debian: apt-get install bubblewrap passt iproute2 util-linux), or set CHOWDER_SANDBOX=off on a "
                    + "host whose only tenant is you.");
        }
        if (!runsAsRoot()) {
            return Optional.of("the gateway sandbox needs Chowder to run as root (to give each instance its own uid, network and "
                    + "cgroup); run Chowder as root, or set CHOWDER_SANDBOX=off on a host whose only tenant is you.");
        }
        tools = located.tools().get();
        usableCgroups();
        try {
            trial();
        } catch (IOException e) {
            return Optional.of("a trial sandbox failed (" + e.getMessage() + "); the kernel may refuse namespaces here. "
                    + "Set CHOWDER_SANDBOX=off only on a host whose only tenant is you.");
        }
        return Optional.empty();
    }

    /** Controllers that are mounted but that Chowder may not use (a read-only cgroup file system) are as good as none. */
    private void usableCgroups() {
        String name = TRIAL + UUID.randomUUID();
        try {
            cgroups.create(name, config).remove();
        } catch (IOException e) {
            log.warn("Cannot create cgroups with {} ({}): memory and CPU of provisioned gateways are NOT limited", cgroups.describe(),
                    e.getMessage());
            cgroups = Cgroups.NONE;
        }
    }

    /** Builds what a gateway's sandbox is made of, once, around {@code /usr/bin/true}, as a uid no instance gets in practice. */
    private void trial() throws IOException {
        String name = TRIAL + UUID.randomUUID();
        long uid = config.firstUid() + SandboxConfig.UID_RANGE - 1;
        Path directory = Files.createTempDirectory("chowder-sandbox-check");
        try {
            Path etc = Files.createDirectories(directory.resolve("etc"));
            SandboxIdentity.writeEtc(etc, uid);
            Path config = Files.createDirectories(directory.resolve("config"));
            Files.writeString(config.resolve("openclaw.json"), "{}", UTF_8);
            Path writable = Files.createDirectories(directory.resolve("writable"));
            SandboxIdentity.own(List.of(writable), uid);
            Cgroups.Cell cgroup = cgroups.create(name, this.config);
            try (NetworkCell network = NetworkCell.open(tools, name, freeLoopbackPort(), List.of(), directory.resolve("pasta.log"),
                    directory.resolve("pasta.pid"), cgroup)) {
                BubblewrapArguments.Spec spec = new BubblewrapArguments.Spec(uid, directory, config, writable, writable,
                        writable, etc, 1024 * 1024, List.of("/usr/bin/true"), false);
                SandboxTools.run(command(cgroup, network, spec, directory));
                if (!network.alive()) {
                    throw new IOException("pasta exited: " + Files.readString(directory.resolve("pasta.log"), UTF_8).strip());
                }
            } finally {
                cgroup.remove();
            }
        } finally {
            try {
                removeAgentTree(directory);
            } catch (IOException e) {
                log.debug("Cannot remove {}: {}", directory, e.getMessage());
            }
        }
    }

    /**
     * The outer command of a sandbox: enter its cgroups (first of all the OOM killer's choice, before Chowder, PostgreSQL
     * or another tenant), set its rlimits, enter its network, then bubblewrap, which reads the seccomp program (written
     * into {@code directory}) from its standard input.
     */
    private ProcessBuilder command(Cgroups.Cell cgroup, NetworkCell network, BubblewrapArguments.Spec spec, Path directory)
            throws IOException {
        return command(cgroup, Optional.of(network), spec, directory, "seccomp.bpf");
    }

    private ProcessBuilder command(Cgroups.Cell cgroup, Optional<NetworkCell> network, BubblewrapArguments.Spec spec, Path directory,
            String seccompFile) throws IOException {
        Optional<Path> program = Optional.empty();
        if (seccompProgram.isPresent()) {
            program = Optional.of(Files.write(directory.resolve(seccompFile), seccompProgram.get()));
        }
        List<String> command = new ArrayList<>(entering(tools, cgroup, OOM_SCORE_ADJUSTMENT));
        command.addAll(List.of(tools.prlimit().toString(),
                "--nofile=" + config.maxOpenFiles() + ":" + config.maxOpenFiles(),
                // Per uid, and every instance has its own: a process limit even where cgroups are missing.
                "--nproc=" + config.maxProcesses() + ":" + config.maxProcesses(),
                // A core dump would hold the gateway's secrets.
                "--core=0:0", "--"));
        network.ifPresent(cell -> command.addAll(List.of(tools.nsenter().toString(), cell.nsenterOption(), "--")));
        command.addAll(BubblewrapArguments.of(tools, spec, program.isPresent()));
        ProcessBuilder builder = new ProcessBuilder(command);
        program.ifPresent(file -> builder.redirectInput(file.toFile()));
        return builder;
    }

    /**
     * The start of a command line that puts the process in {@code cgroup} and gives it {@code oomScore} before it becomes
     * the rest of the line: the tree must be in its cgroups before it forks, so this shell moves itself there, then
     * {@code exec}s.
     */
    static List<String> entering(SandboxTools tools, Cgroups.Cell cgroup, int oomScore) {
        List<String> command = new ArrayList<>(List.of(tools.shell().toString(), "-c",
                "echo \"$1\" > /proc/self/oom_score_adj || exit 125; shift; n=$1; shift; "
                        + "while [ \"$n\" -gt 0 ]; do echo $$ > \"$1\" || exit 125; shift; n=$((n - 1)); done; exec \"$@\"",
                "chowder-sandbox", Integer.toString(oomScore), Integer.toString(cgroup.procsFiles().size())));
        cgroup.procsFiles().forEach(file -> command.add(file.toString()));
        return command;
    }

    /**
     * Prepares the sandbox of one launch of an instance's gateway: its uid and what it owns, its cgroup with the
     * limits, its network namespace and pasta, and its egress grant. The caller starts {@link SandboxCell#command()}
     * and closes the cell once the process is gone. Throws {@link IllegalStateException} with the reason when gateways
     * cannot be confined.
     */
    public SandboxCell open(SandboxCell.Request request) throws IOException {
        Optional<String> unavailable = problem();
        if (unavailable.isPresent()) {
            throw new IllegalStateException(unavailable.get());
        }
        requireReadableByOthers(request.runtimeHome());
        sweep(request.instance());
        long uid = identity.uidFor(request.instanceRoot());
        SandboxIdentity.killProcessesOf(uid);
        SandboxIdentity.own(List.of(request.state(), request.workspace(), request.home(), request.configDirectory()), uid);
        Path own = Files.createDirectories(request.instanceRoot().resolve("sandbox"));
        SandboxIdentity.writeEtc(own.resolve("etc"), uid);
        List<Integer> outbound = new ArrayList<>();
        List<EgressRule> rules = new ArrayList<>(request.egress());
        rules.addAll(config.egressAllowed());
        rules.stream().filter(EgressRule::loopback).forEach(rule -> outbound.add(rule.port()));
        EgressProxy proxy = egress();
        outbound.add(proxy.port());
        String proxyUrl = proxy.grant(request.instance(), new EgressPolicy(rules.stream().filter(rule -> !rule.loopback()).toList()));
        Cgroups.Cell cgroup = null;
        NetworkCell network = null;
        try {
            cgroup = cgroups.create(request.instance(), config);
            network = NetworkCell.open(tools, request.instance(), request.gatewayPort(), outbound, own.resolve("pasta.log"),
                    own.resolve("pasta.pid"), cgroup);
            BubblewrapArguments.Spec spec = new BubblewrapArguments.Spec(uid, request.runtimeHome(), request.configDirectory(), request.state(),
                    request.workspace(), request.home(), own.resolve("etc"), config.memoryBytes(), request.command(), false);
            ProcessBuilder builder = command(cgroup, network, spec, own);
            builder.environment().clear();
            builder.environment().putAll(request.environment());
            builder.environment().put("OPENCLAW_PROXY_URL", proxyUrl);
            return new SandboxCell(request.instance(), uid, builder, cgroup, network, proxy, proxyUrl, config.memoryBytes());
        } catch (IOException | RuntimeException e) {
            proxy.revoke(request.instance());
            if (network != null) {
                network.close();
            }
            if (cgroup != null) {
                cgroup.remove();
            }
            throw e;
        }
    }

    /** How a command run beside a gateway ended: its exit code (-1 when it ran out of time) and the end of its output. */
    public record Outcome(int exitCode, String output) {}

    /**
     * Runs a one-shot command beside an instance's running gateway (an OpenClaw CLI command on its state, say), confined
     * as the gateway is: the instance's uid, the same binds (the config read-only), no capabilities, the seccomp filter, in
     * the instance's cgroup (its limits hold, and it dies with the instance), with a network namespace of its own holding
     * nothing. Nothing of the gateway's sandbox is touched. Throws {@link IllegalStateException} when the gateway is not
     * running in its sandbox.
     */
    public Outcome runBeside(SandboxCell.Request request, Duration timeout) throws IOException, InterruptedException {
        Optional<String> unavailable = problem();
        if (unavailable.isPresent()) {
            throw new IllegalStateException(unavailable.get());
        }
        Optional<Cgroups.Cell> cgroup = cgroups.existing(request.instance());
        if (cgroup.isEmpty() && cgroups.enforces()) {
            throw new IllegalStateException("the gateway of instance " + request.instance() + " is not running in its sandbox");
        }
        Path own = request.instanceRoot().resolve("sandbox");
        if (!Files.isDirectory(own.resolve("etc"))) {
            throw new IllegalStateException("the gateway of instance " + request.instance() + " was never started in its sandbox");
        }
        long uid = identity.uidFor(request.instanceRoot());
        BubblewrapArguments.Spec spec = new BubblewrapArguments.Spec(uid, request.runtimeHome(), request.configDirectory(), request.state(),
                request.workspace(), request.home(), own.resolve("etc"), config.memoryBytes(), request.command(), true);
        ProcessBuilder builder = command(cgroup.orElse(Cgroups.Cell.NONE), Optional.empty(), spec, own, "seccomp-beside.bpf");
        builder.environment().clear();
        builder.environment().putAll(request.environment());
        return runToEnd(builder, own, timeout);
    }

    /**
     * Runs a one-shot command in an opened cell before its gateway starts (OpenClaw installing a channel plugin from npm,
     * say): confined as the gateway will be, with its uid, binds, cgroup, network namespace and egress grant, so it reaches
     * exactly what the gateway may. {@code request} is the cell's; {@code command} and {@code environment} replace its own.
     */
    public Outcome runFirst(SandboxCell cell, SandboxCell.Request request, List<String> command, Map<String, String> environment,
            Duration timeout) throws IOException, InterruptedException {
        Path own = request.instanceRoot().resolve("sandbox");
        BubblewrapArguments.Spec spec = new BubblewrapArguments.Spec(cell.uid(), request.runtimeHome(), request.configDirectory(), request.state(),
                request.workspace(), request.home(), own.resolve("etc"), config.memoryBytes(), command, false);
        ProcessBuilder builder = command(cell.cgroup(), Optional.of(cell.network()), spec, own, "seccomp-first.bpf");
        builder.environment().clear();
        builder.environment().putAll(environment);
        builder.environment().put("OPENCLAW_PROXY_URL", cell.proxyUrl());
        return runToEnd(builder, own, timeout);
    }

    /** Runs a command to its end or {@code timeout} (then kills it: bubblewrap's PID namespace takes its tree along). */
    private static Outcome runToEnd(ProcessBuilder builder, Path own, Duration timeout) throws IOException, InterruptedException {
        Path output = Files.createTempFile(own, "command-", ".out");
        try {
            builder.redirectErrorStream(true).redirectOutput(output.toFile());
            Process process = ProcessLauncher.start(builder);
            boolean ended;
            try {
                ended = process.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                // Chowder stops, or the request went away: the command does not outlive the wait.
                process.destroyForcibly();
                throw e;
            }
            if (!ended) {
                // bubblewrap's PID namespace takes the command's whole tree with it.
                process.destroyForcibly();
                process.waitFor();
                return new Outcome(-1, tail(output));
            }
            return new Outcome(process.exitValue(), tail(output));
        } finally {
            Files.deleteIfExists(output);
        }
    }

    /** The last 8 KiB of a command's output: enough to say what happened, bounded whatever it printed. */
    private static String tail(Path output) throws IOException {
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(output)) {
            long size = channel.size();
            long start = Math.max(0, size - 8192);
            java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate((int) (size - start));
            channel.read(buffer, start);
            return new String(buffer.array(), UTF_8);
        }
    }

    /**
     * Removes what a Chowder that was killed left of an instance's sandbox: the sandbox itself died with it, but its
     * network namespace stays until removed, and its cgroup until emptied.
     */
    public void sweep(String instance) {
        if (tools == null) {
            return;
        }
        NetworkCell.remove(tools, NetworkCell.namespaceName(instance));
        cgroups.existing(instance).ifPresent(Sandbox::removeLeftover);
    }

    private static void removeLeftover(Cgroups.Cell cgroup) {
        SandboxCell.killAll(cgroup);
        cgroup.remove();
    }

    /**
     * Removes what trial sandboxes of a Chowder killed while it checked left behind: those older than a trial ever takes,
     * so that another Chowder's trial on this host is left alone.
     */
    public void sweepTrials() {
        if (tools == null) {
            return;
        }
        try (var namespaces = Files.list(Path.of("/run/netns"))) {
            namespaces.filter(path -> path.getFileName().toString().startsWith(NetworkCell.namespaceName(TRIAL)) && stale(path))
                    .forEach(path -> NetworkCell.remove(tools, path.getFileName().toString()));
        } catch (IOException noNamedNamespaces) {
            // nothing to sweep
        }
        for (String name : cgroups.names(TRIAL)) {
            cgroups.existing(name).filter(leftover -> leftover.procsFiles().stream().allMatch(Sandbox::stale))
                    .ifPresent(Sandbox::removeLeftover);
        }
    }

    private static boolean stale(Path path) {
        try {
            return Files.getLastModifiedTime(path).toInstant().isBefore(java.time.Instant.now().minus(STALE_TRIAL));
        } catch (IOException gone) {
            return false;
        }
    }

    /**
     * Removes a directory an agent shaped (an instance's, once deleted): coreutils' {@code rm} never follows a link,
     * stays on the file system, and gets through trees deeper than a path can name, where a walk by path names would fail.
     */
    public static void removeAgentTree(Path directory) throws IOException {
        SandboxTools.run(new ProcessBuilder("rm", "-rf", "--one-file-system", "--", directory.toString())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))), TREE_REMOVAL_TIMEOUT);
        if (Files.exists(directory, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException("rm left " + directory + " behind");
        }
    }

    private synchronized EgressProxy egress() {
        if (egress == null) {
            egress = new EgressProxy(random).start();
        }
        return egress;
    }

    @Override
    public synchronized void close() {
        if (egress != null) {
            egress.close();
        }
    }

    /** A sandbox runs as a user of its own: it must be able to read the OpenClaw install, as any user of the host can. */
    private static void requireReadableByOthers(Path runtimeHome) throws IOException {
        java.util.Set<java.nio.file.attribute.PosixFilePermission> permissions = Files.getPosixFilePermissions(runtimeHome);
        if (!permissions.contains(java.nio.file.attribute.PosixFilePermission.OTHERS_READ)
                || !permissions.contains(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE)) {
            throw new IOException("the OpenClaw install at " + runtimeHome + " is not readable by other users (mode "
                    + java.nio.file.attribute.PosixFilePermissions.toString(permissions) + "), and sandboxed gateways run as users of "
                    + "their own: chmod -R a+rX " + runtimeHome);
        }
    }

    private static int freeLoopbackPort() throws IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static boolean runsAsRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"), UTF_8)) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[2].equals("0");
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    /** The compiled filter for this machine (see {@code scripts/sandbox/seccomp-filter.py}), if there is one. */
    static Optional<byte[]> seccompProgram(String osArch) {
        String arch = switch (osArch) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            default -> null;
        };
        if (arch == null) {
            return Optional.empty();
        }
        try (InputStream in = Sandbox.class.getResourceAsStream("seccomp-" + arch + ".bpf")) {
            return in == null ? Optional.empty() : Optional.of(in.readAllBytes());
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
