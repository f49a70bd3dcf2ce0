package chowder.adapter.openclaw.provisioner.sandbox;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether sandboxes work on this host, tried for real: as root, with cgroups Chowder may create, and one whole sandbox
 * around {@code /usr/bin/true}. Trials' cgroups and network namespaces are named with {@link #PREFIX}.
 */
final class SandboxTrial {
    private static final Logger log = LoggerFactory.getLogger(SandboxTrial.class);
    /** How the names of trial sandboxes' cgroups and network namespaces begin. */
    static final String PREFIX = "check-";

    private SandboxTrial() {}

    static boolean runsAsRoot() {
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

    /** Controllers that are mounted but that Chowder may not use (a read-only cgroup file system) are as good as none. */
    static Cgroups usableCgroups(Cgroups cgroups, SandboxConfig config) {
        String name = PREFIX + UUID.randomUUID();
        try {
            cgroups.create(name, config).remove();
            return cgroups;
        } catch (IOException e) {
            log.warn("Cannot create cgroups with {} ({}): memory and CPU of provisioned gateways are NOT limited", cgroups.describe(),
                    e.getMessage());
            return Cgroups.NONE;
        }
    }

    /** Builds what a gateway's sandbox is made of, once, around {@code /usr/bin/true}, as a uid no instance gets in practice. */
    static void run(SandboxTools tools, SandboxCommand commands, Cgroups cgroups, SandboxConfig sandboxConfig) throws IOException {
        String name = PREFIX + UUID.randomUUID();
        long uid = sandboxConfig.firstUid() + SandboxConfig.UID_RANGE - 1;
        Path directory = Files.createTempDirectory("chowder-sandbox-check");
        try {
            Path etc = Files.createDirectories(directory.resolve("etc"));
            SandboxIdentity.writeEtc(etc, uid);
            Path config = Files.createDirectories(directory.resolve("config"));
            Files.writeString(config.resolve("openclaw.json"), "{}", UTF_8);
            Path writable = Files.createDirectories(directory.resolve("writable"));
            SandboxIdentity.own(List.of(writable), uid);
            Cgroups.Cell cgroup = cgroups.create(name, sandboxConfig);
            // A port out too, as every gateway has: its bound on connections is set up as a gateway's would be.
            try (NetworkCell network = NetworkCell.open(tools, name, freeLoopbackPort(), List.of(freeLoopbackPort()),
                    sandboxConfig.maxConnectionsPerPort(), directory.resolve("pasta.log"), directory.resolve("pasta.pid"), cgroup)) {
                BubblewrapArguments.Spec spec = new BubblewrapArguments.Spec(uid, directory, config, writable, writable,
                        writable, etc, 1024 * 1024, List.of("/usr/bin/true"), false);
                SandboxTools.run(commands.build(cgroup, network, spec, directory));
                if (!network.alive()) {
                    throw new IOException("pasta exited: " + Files.readString(directory.resolve("pasta.log"), UTF_8).strip());
                }
            } finally {
                cgroup.remove();
            }
        } finally {
            try {
                Sandbox.removeAgentTree(directory);
            } catch (IOException e) {
                log.debug("Cannot remove {}: {}", directory, e.getMessage());
            }
        }
    }

    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
