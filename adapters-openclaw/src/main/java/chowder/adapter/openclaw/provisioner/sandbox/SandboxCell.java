package chowder.adapter.openclaw.provisioner.sandbox;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The sandbox of one launch of an instance's gateway, ready to start: {@link #command()} is the process to run (its
 * output redirections are the caller's). {@link #close()}, once that process has ended, kills whatever is left in the
 * cgroup and removes the network, the cgroup and the egress grant.
 */
public final class SandboxCell implements AutoCloseable {
    private final String instance;
    private final long uid;
    private final ProcessBuilder command;
    private final Cgroups.Cell cgroup;
    private final NetworkCell network;
    private final EgressProxy egress;
    private final String proxyUrl;
    private final long memoryBytes;
    private final long memoryPerOrganizationBytes;
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * What one launch needs: the organization the instance belongs to (its cgroup is inside the organization's), and as
     * host paths the instance's directory and the parts of it the sandbox sees, the OpenClaw install, the gateway's port
     * on the host's loopback, where its model provider is, and the gateway's command line and environment as they are
     * inside ({@link SandboxPaths}).
     *
     * @param configDirectory the directory of the gateway's config (given to the instance's uid, read-only inside)
     */
    public record Request(String organization, String instance, Path instanceRoot, Path runtimeHome, Path configDirectory, Path state,
            Path workspace, Path home, int gatewayPort, List<EgressRule> egress, List<String> command, Map<String, String> environment) {
        public Request {
            requireNonNull(organization, "organization is null");
            requireNonNull(instance, "instance is null");
            requireNonNull(instanceRoot, "instanceRoot is null");
            requireNonNull(runtimeHome, "runtimeHome is null");
            requireNonNull(configDirectory, "configDirectory is null");
            requireNonNull(state, "state is null");
            requireNonNull(workspace, "workspace is null");
            requireNonNull(home, "home is null");
            egress = List.copyOf(egress);
            command = List.copyOf(command);
            environment = Map.copyOf(environment);
        }
    }

    SandboxCell(String instance, long uid, ProcessBuilder command, Cgroups.Cell cgroup, NetworkCell network, EgressProxy egress,
            String proxyUrl, long memoryBytes, long memoryPerOrganizationBytes) {
        this.instance = instance;
        this.uid = uid;
        this.command = command;
        this.cgroup = cgroup;
        this.network = network;
        this.egress = egress;
        this.proxyUrl = proxyUrl;
        this.memoryBytes = memoryBytes;
        this.memoryPerOrganizationBytes = memoryPerOrganizationBytes;
    }

    /** The process to start: it enters the cgroup, the rlimits, the network namespace, then bubblewrap. */
    public ProcessBuilder command() {
        return command;
    }

    Cgroups.Cell cgroup() {
        return cgroup;
    }

    NetworkCell network() {
        return network;
    }

    /** The egress proxy's address with this launch's grant, as {@code OPENCLAW_PROXY_URL} takes it. */
    String proxyUrl() {
        return proxyUrl;
    }

    /** The uid the instance's processes run as. */
    public long uid() {
        return uid;
    }

    /** Why the sandbox stopped working although the gateway may still run (its network helper exited), if it did. */
    public Optional<String> failure() {
        return network.alive() ? Optional.empty() : Optional.of("The sandbox's network (pasta) exited.");
    }

    /** A sentence to add to a failure report when the kernel killed a process of the sandbox for its memory, else empty. */
    public String limitsReached() {
        if (cgroup.oomKills() == 0) {
            return "";
        }
        String own = " The sandbox reached its memory limit of " + memoryBytes / (1024 * 1024) + " MiB (CHOWDER_SANDBOX_MEMORY)";
        // Reached by the organization's instances together, the bound may have been too; the kernel does not say which.
        return cgroup.groupMemoryReached() && memoryPerOrganizationBytes > 0
                ? own + ", or its organization's sandboxes together theirs of " + memoryPerOrganizationBytes / (1024 * 1024)
                        + " MiB (CHOWDER_SANDBOX_MEMORY_PER_ORG)."
                : own + ".";
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        killAll(cgroup);
        network.close();
        cgroup.remove();
        egress.revoke(instance);
    }

    /** Kills every process left in the cgroup (none should be: the sandbox's PID namespace dies with its gateway). */
    static void killAll(Cgroups.Cell cgroup) {
        HostProcesses.killUntilNone(() -> cgroup.processes().stream().flatMap(pid -> ProcessHandle.of(pid).stream()).toList());
    }
}
