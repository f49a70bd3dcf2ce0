package chowder.adapter.openclaw.provisioner.sandbox;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
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
    private static final Duration TREE_REMOVAL_TIMEOUT = Duration.ofMinutes(10);

    private final SandboxConfig config;
    private final Path instancesDir;
    private final String hostPath;
    private final SecureRandom random;
    private final SandboxIdentity identity;
    // Guards the trial sandbox's verdict and the egress proxy; the trial runs processes (a lock, not a monitor: on JDK 21
    // to 23 a virtual thread blocked in a monitor pins its carrier).
    private final ReentrantLock lock = new ReentrantLock();
    private Cgroups cgroups;
    private final Optional<byte[]> seccompProgram;
    private SandboxTools tools;
    private SandboxCommand commands;
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
        this.seccompProgram = SandboxCommand.seccompProgram(System.getProperty("os.arch"));
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
    public Optional<String> problem() {
        lock.lock();
        try {
            if (!confines()) {
                return Optional.empty();
            }
            if (problem == null || problem.isPresent() && System.nanoTime() - checkedAtNanos > RECHECK_AFTER_FAILURE.toNanos()) {
                problem = check();
                checkedAtNanos = System.nanoTime();
                if (problem.isEmpty()) {
                    // Without cgroups one tenant can take the host's memory and CPU: a warning, not a line among others.
                    log.atLevel(cgroups.enforces() ? Level.INFO : Level.WARN)
                            .log("Sandbox: bubblewrap for every provisioned gateway; limits {} (memory {} MiB, {} processes, {} CPUs, {} open "
                                    + "files, {}; {}); seccomp filter {}; egress: Chowder's model endpoint{}",
                            cgroups.enforces() ? "by " + cgroups.describe()
                                    : "by rlimits only (no usable cgroup memory, pids and cpu controllers: memory and CPU are NOT limited)",
                            config.memoryBytes() / (1024 * 1024), config.maxProcesses(), config.cpus(), config.maxOpenFiles(),
                            config.maxConnectionsPerPort() == 0 ? "connections NOT bounded (CHOWDER_SANDBOX_MAX_CONNECTIONS=0)"
                                    : config.maxConnectionsPerPort() + " connections per port out",
                            cgroups.enforces() ? config.perOrganization().describe() : "none per organization",
                            seccompProgram.isPresent() ? "on" : "unavailable on " + System.getProperty("os.arch"),
                            config.egressAllowed().isEmpty() ? " only" : " and " + config.egressAllowed());
                } else {
                    log.error("Provisioned instances cannot start: {}", problem.get());
                }
            }
            return problem;
        } finally {
            lock.unlock();
        }
    }

    private Optional<String> check() {
        SandboxTools.Result located = SandboxTools.locate(hostPath);
        if (located.tools().isEmpty()) {
            return Optional.of("the gateway sandbox needs bubblewrap, pasta, iproute2, nftables and util-linux: " + located.problem()
                    + ". Install them (Debian: apt-get install bubblewrap passt iproute2 nftables util-linux), or set CHOWDER_SANDBOX=off "
                    + "on a host whose only tenant is you.");
        }
        if (!SandboxTrial.runsAsRoot()) {
            return Optional.of("the gateway sandbox needs Chowder to run as root (to give each instance its own uid, network and "
                    + "cgroup); run Chowder as root, or set CHOWDER_SANDBOX=off on a host whose only tenant is you.");
        }
        tools = located.tools().get();
        commands = new SandboxCommand(tools, config, seccompProgram);
        cgroups = SandboxTrial.usableCgroups(cgroups, config);
        try {
            SandboxTrial.run(tools, commands, cgroups, config);
        } catch (IOException e) {
            return Optional.of("a trial sandbox failed (" + e.getMessage() + "); the cause above says what this host lacks (namespaces, cgroups, nftables' connection counting). "
                    + "Set CHOWDER_SANDBOX=off only on a host whose only tenant is you.");
        }
        return Optional.empty();
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
            cgroup = cgroups.create(Cgroups.group(request.organization()), request.instance(), config);
            network = NetworkCell.open(tools, request.instance(), request.gatewayPort(), outbound, config.maxConnectionsPerPort(),
                    own.resolve("pasta.log"), own.resolve("pasta.pid"), cgroup);
            BubblewrapArguments.Spec spec = new BubblewrapArguments.Spec(uid, request.runtimeHome(), request.configDirectory(), request.state(),
                    request.workspace(), request.home(), own.resolve("etc"), config.memoryBytes(), request.command(), false);
            ProcessBuilder builder = commands.build(cgroup, network, spec, own);
            builder.environment().clear();
            builder.environment().putAll(request.environment());
            builder.environment().put("OPENCLAW_PROXY_URL", proxyUrl);
            return new SandboxCell(request.instance(), uid, builder, cgroup, network, proxy, proxyUrl, config.memoryBytes(),
                    config.perOrganization().memoryBytes());
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
        Optional<Cgroups.Cell> cgroup = cgroups.existing(Cgroups.group(request.organization()), request.instance());
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
        ProcessBuilder builder = commands.build(cgroup.orElse(Cgroups.Cell.NONE), Optional.empty(), spec, own, "seccomp-beside.bpf");
        builder.environment().clear();
        builder.environment().putAll(request.environment());
        return OneShotCommand.runToEnd(builder, own, timeout);
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
        ProcessBuilder builder = commands.build(cell.cgroup(), Optional.of(cell.network()), spec, own, "seccomp-first.bpf");
        builder.environment().clear();
        builder.environment().putAll(environment);
        builder.environment().put("OPENCLAW_PROXY_URL", cell.proxyUrl());
        return OneShotCommand.runToEnd(builder, own, timeout);
    }

    /**
     * Removes what a Chowder that was killed left of an instance's sandbox: the sandbox itself died with it, but its
     * network namespace stays until removed, and its cgroup until emptied.
     */
    public void sweep(String instance) {
        if (tools == null) {
            return;
        }
        SandboxLeftovers.sweep(tools, cgroups, instance);
    }

    /**
     * Removes what trial sandboxes of a Chowder killed while it checked left behind: those older than a trial ever takes,
     * so that another Chowder's trial on this host is left alone.
     */
    public void sweepTrials() {
        if (tools == null) {
            return;
        }
        SandboxLeftovers.sweepTrials(tools, cgroups);
    }

    /**
     * Removes a directory an agent shaped (an instance's, once deleted): coreutils' {@code rm} never follows a link,
     * stays on the file system, and gets through trees deeper than a path can name, where a walk by path names would fail.
     */
    public static void removeAgentTree(Path directory) throws IOException {
        SandboxTools.run(SandboxTools.hostCommand(List.of("rm", "-rf", "--one-file-system", "--", directory.toString())),
                TREE_REMOVAL_TIMEOUT);
        if (Files.exists(directory, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException("rm left " + directory + " behind");
        }
    }

    private EgressProxy egress() {
        lock.lock();
        try {
            if (egress == null) {
                egress = new EgressProxy(random).start();
            }
            return egress;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (egress != null) {
                egress.close();
            }
        } finally {
            lock.unlock();
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
}
