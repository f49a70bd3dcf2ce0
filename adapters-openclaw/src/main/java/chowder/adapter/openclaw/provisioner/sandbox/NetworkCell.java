package chowder.adapter.openclaw.provisioner.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * One instance's network: a network namespace of its own ({@code ip netns}, owned by the host's root, so nothing
 * inside can reconfigure it) that has only a loopback interface, and pasta splicing exactly these ports across:
 * the gateway's port from the host's loopback in (Chowder's only way to the gateway), and the listed host loopback
 * ports out (the model provider, the egress proxy, operator-allowed local services). Nothing else of the host, its
 * other namespaces or any network is reachable: there is no route. pasta runs as a child of Chowder that dies with it.
 *
 * <p>Each port out takes a bounded number of connections at once (an nftables rule in the namespace, counting the
 * namespace's own connections): the model endpoint and the egress proxy are shared by every tenant, and pasta connects
 * to them from the host's loopback address for all of them alike, so they cannot tell one sandbox's connections from
 * another's. Without the bound, one agent could open thousands and leave the others none.
 */
final class NetworkCell implements AutoCloseable {
    private static final java.time.Duration READY_TIMEOUT = java.time.Duration.ofSeconds(10);
    private static final int BIND_ATTEMPTS = 3;
    private static final java.time.Duration BIND_RETRY_PAUSE = java.time.Duration.ofMillis(300);
    /**
     * The namespace's own connection-tracking timeouts (net.netfilter sysctls are per namespace). A connection one side
     * closed while the other holds it (an egress tunnel keeps its upstream for up to 15 minutes) stays counted as long
     * as the host may hold it, not the kernel's 60 s; a closed one's entry, no longer counted, goes after 10 s, not 120.
     */
    private static final String TRACKING_TIMEOUTS = "cd /proc/sys/net/netfilter && echo 900 > nf_conntrack_tcp_timeout_fin_wait && "
            + "echo 900 > nf_conntrack_tcp_timeout_close_wait && echo 900 > nf_conntrack_tcp_timeout_last_ack && "
            + "echo 10 > nf_conntrack_tcp_timeout_time_wait";
    private final SandboxTools tools;
    private final String name;
    private final Process pasta;

    private NetworkCell(SandboxTools tools, String name, Process pasta) {
        this.tools = tools;
        this.name = name;
        this.pasta = pasta;
    }

    /** The namespace's name for an instance: its id is unique on the host, so two Chowders never collide. */
    static String namespaceName(String instance) {
        return "chowder-" + instance;
    }

    /**
     * Creates the namespace (replacing a leftover of a crashed Chowder) and starts pasta, returning once its ports are
     * forwarded; its output goes to {@code log}, its pid to {@code pidFile}.
     */
    static NetworkCell open(SandboxTools tools, String instance, int inboundPort, List<Integer> outboundPorts, int maxConnectionsPerPort,
            Path log, Path pidFile, Cgroups.Cell cgroup) throws IOException {
        List<Integer> ports = outboundPorts.stream().distinct().toList();
        String name = namespaceName(instance);
        Files.deleteIfExists(pidFile);
        remove(tools, name);
        try {
            create(tools, name, ports, maxConnectionsPerPort);
            // In the instance's cgroup: the CPU and memory it spends on the instance's traffic count against the instance.
            List<String> command = new ArrayList<>(SandboxCommand.entering(tools, cgroup, 0));
            command.addAll(List.of(tools.setpriv().toString(), "--pdeathsig", "KILL", "--",
                    tools.pasta().toString(), "--netns", name,
                    // pasta drops to nobody by default, and then cannot enter a namespace the host's root owns.
                    "--runas", "0", "--foreground", "--quiet", "--pid", pidFile.toString(),
                    "--tcp-ports", "127.0.0.1/" + inboundPort,
                    "--tcp-ns", ports.isEmpty() ? "none" : ports.stream().map(String::valueOf).collect(Collectors.joining(",")),
                    "--udp-ports", "none", "--udp-ns", "none",
                    // Its tap interface stays down and unconfigured; these keep pasta from answering anything on it.
                    "--no-map-gw", "--no-dhcp", "--no-ndp", "--no-dhcpv6", "--no-ra"));
            for (int attempt = 1; ; attempt++) {
                Process pasta = ProcessLauncher.start(SandboxTools.hostCommand(command)
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile()));
                NetworkCell cell = new NetworkCell(tools, name, pasta);
                try {
                    cell.awaitReady(pidFile, log);
                    return cell;
                } catch (PortTakenException e) {
                    // The gateway's port was just released by its previous launch, or is briefly someone else's.
                    if (attempt == BIND_ATTEMPTS) {
                        throw new IOException(e.getMessage() + " (port " + inboundPort + " is in use on the host's loopback)", e);
                    }
                    pause(BIND_RETRY_PAUSE);
                    create(tools, name, ports, maxConnectionsPerPort);
                }
            }
        } catch (IOException | RuntimeException e) {
            remove(tools, name);
            throw e;
        }
    }

    /**
     * A network namespace with nothing but its loopback interface, up, where a connection to a port out beyond the
     * first {@code maxConnectionsPerPort} open at once is refused (a reset; {@code 0}: not bounded).
     */
    private static void create(SandboxTools tools, String name, List<Integer> outboundPorts, int maxConnectionsPerPort) throws IOException {
        SandboxTools.run(List.of(tools.ip().toString(), "netns", "add", name));
        SandboxTools.run(List.of(tools.ip().toString(), "-n", name, "link", "set", "lo", "up"));
        if (maxConnectionsPerPort > 0 && !outboundPorts.isEmpty()) {
            // nsenter enters the namespace alone (ip netns exec would also remount /sys for nothing).
            String enter = nsenterOption(name);
            try {
                SandboxTools.run(List.of(tools.nsenter().toString(), enter, "--", tools.nft().toString(),
                        connectionBounds(outboundPorts, maxConnectionsPerPort)));
                SandboxTools.run(List.of(tools.nsenter().toString(), enter, "--", tools.shell().toString(), "-c", TRACKING_TIMEOUTS));
            } catch (IOException e) {
                throw new IOException("cannot bound the connections of the sandbox's network with nftables (" + e.getMessage().strip()
                        + "); a kernel without nftables' connection counting (nft_connlimit) needs CHOWDER_SANDBOX_MAX_CONNECTIONS=0", e);
            }
        }
    }

    /**
     * The nftables ruleset: each port out's rule counts the connections it let through until they close. Only TCP to and
     * from the ports out is tracked at all: a rule that counts turns tracking on for the whole namespace, and the kernel
     * memory of tracked entries (UDP to closed ports, say, 30 s each) is charged to no sandbox.
     */
    private static String connectionBounds(List<Integer> distinct, int maxConnectionsPerPort) {
        String ports = distinct.stream().map(String::valueOf).collect(Collectors.joining(", ", "{ ", " }"));
        StringBuilder rules = new StringBuilder("add table inet chowder_sandbox");
        for (String hook : List.of("output", "prerouting")) {
            String chain = "inet chowder_sandbox untracked_" + hook;
            rules.append("; add chain ").append(chain).append(" { type filter hook ").append(hook).append(" priority raw ; policy accept ; }")
                    .append("; add rule ").append(chain).append(" tcp dport ").append(ports).append(" accept")
                    .append("; add rule ").append(chain).append(" tcp sport ").append(ports).append(" accept")
                    .append("; add rule ").append(chain).append(" notrack");
        }
        rules.append("; add chain inet chowder_sandbox outbound { type filter hook output priority 0 ; policy accept ; }");
        distinct.forEach(port -> rules.append("; add rule inet chowder_sandbox outbound tcp dport ").append(port)
                .append(" ct state new ct count over ").append(maxConnectionsPerPort).append(" reject with tcp reset"));
        return rules.toString();
    }

    /** pasta writes its pid file once its ports are bound: before that, the sandbox could not reach its model. */
    private void awaitReady(Path pidFile, Path log) throws IOException {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (!Files.isRegularFile(pidFile) || Files.size(pidFile) == 0) {
            if (!pasta.isAlive() || System.nanoTime() - deadline > 0) {
                boolean exited = !pasta.isAlive();
                close();
                String output = Files.isRegularFile(log) ? Files.readString(log, java.nio.charset.StandardCharsets.UTF_8).lines()
                        .filter(line -> !line.contains("to syslog")).collect(Collectors.joining(" ")).strip() : "";
                String message = "pasta " + (exited ? "exited" : "did not start within " + READY_TIMEOUT.toSeconds() + " s")
                        + (output.isEmpty() ? "" : ": " + output);
                throw exited && output.contains("Failed to bind") ? new PortTakenException(message) : new IOException(message);
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                close();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while starting pasta", e);
            }
        }
    }

    private static final class PortTakenException extends IOException {
        private static final long serialVersionUID = 1L;

        PortTakenException(String message) {
            super(message);
        }
    }

    private static void pause(java.time.Duration duration) throws IOException {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting pasta", e);
        }
    }

    /** Removes the network namespace {@code namespace} if it exists (a pasta still attached to it exits). */
    static void remove(SandboxTools tools, String namespace) {
        try {
            if (Files.exists(Path.of("/run/netns", namespace))) {
                SandboxTools.run(List.of(tools.ip().toString(), "netns", "delete", namespace));
            }
        } catch (IOException e) {
            // gone already, or cannot be helped: a leftover namespace holds no process
        }
    }

    String name() {
        return name;
    }

    /** The option that runs a command inside this namespace. */
    String nsenterOption() {
        return nsenterOption(name);
    }

    /** The {@code nsenter} option that runs a command inside the namespace {@code namespace}. */
    static String nsenterOption(String namespace) {
        return "--net=/run/netns/" + namespace;
    }

    boolean alive() {
        return pasta.isAlive();
    }

    @Override
    public void close() {
        pasta.destroy();
        try {
            if (!pasta.waitFor(2, TimeUnit.SECONDS)) {
                pasta.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        remove(tools, name);
    }
}
