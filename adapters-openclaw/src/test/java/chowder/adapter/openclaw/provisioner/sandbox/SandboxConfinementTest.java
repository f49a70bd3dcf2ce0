package chowder.adapter.openclaw.provisioner.sandbox;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chowder.testing.LoopbackPorts;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a sandboxed command, as an agent's {@code exec} tool could run it, cannot do: each escape fails, and what the
 * sandbox must allow works. A sandboxed command that did escape would still run as an unprivileged uid.
 */
class SandboxConfinementTest extends SandboxFixture {
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
            int gatewayPort = LoopbackPorts.free();
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
            // pasta parses every packet the sandbox sends: none of Chowder's environment (its keys) is in its process, but
            // PATH (and the PWD its starting shell sets).
            assertThat(environmentOf(processWithArgument(NetworkCell.namespaceName("networked"))))
                    .extracting(variable -> variable.substring(0, variable.indexOf('='))).contains("PATH").isSubsetOf("PATH", "PWD");
            assertThat(readFrom(gatewayPort)).isEqualTo("hello from inside");
            Run run = started.finish();

            assertThat(run.output()).contains("127.0.0.1 " + allowed.getLocalPort() + " OPEN allowed")
                    .contains("127.0.0.1 " + forbidden.getLocalPort() + " REFUSED")
                    .contains("127.0.0.1 5432 REFUSED")
                    .contains("169.254.169.254 80 REFUSED")
                    .contains("10.0.0.1 80 REFUSED");
        }
    }

    /**
     * The ports a sandbox reaches are shared by every tenant (the model endpoint, the egress proxy), and pasta connects to
     * them from the host's loopback for all sandboxes alike: one agent holding thousands of connections would leave the
     * others none. It gets its bound ({@code CHOWDER_SANDBOX_MAX_CONNECTIONS}, here 16) and a refusal for the rest, and
     * a connection it closes makes room for another (retried: the kernel drops closed ones from its count lazily).
     */
    @Test
    void holdsNoMoreConnectionsToAPortItReachesThanItsBound() throws Exception {
        java.util.concurrent.atomic.AtomicInteger accepted = new java.util.concurrent.atomic.AtomicInteger();
        java.util.List<Socket> held = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (ServerSocket shared = new ServerSocket(0, 200, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                while (!shared.isClosed()) {
                    try {
                        Socket connection = shared.accept();
                        held.add(connection);
                        accepted.incrementAndGet();
                        // Closed when the other side closes, as a server does.
                        Thread.ofVirtual().start(() -> {
                            try (connection; InputStream in = connection.getInputStream()) {
                                in.readAllBytes();
                            } catch (IOException gone) {
                                // closed by the test's end
                            }
                        });
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
            sandbox.close();
            sandbox = sandbox(List.of(EgressRule.parse("127.0.0.1:" + shared.getLocalPort())));
            assertThat(sandbox.problem()).isEmpty();
            String flood = """
                    import os, socket, time
                    def connect(count, attempts):
                        opened, refused = [], 0
                        for _ in range(count):
                            for attempt in range(attempts):
                                try:
                                    opened.append(socket.create_connection(("127.0.0.1", %d), timeout=5))
                                    break
                                except OSError:
                                    # The kernel forgets closed and refused connections a few at a time, at the next ones.
                                    time.sleep(0.05)
                            else:
                                refused += 1
                        return opened, refused
                    held, refused = connect(40, 1)
                    print("HELD", len(held), "REFUSED", refused, flush=True)
                    for s in held[:4]:
                        s.close()
                    again, _ = connect(4, 40)
                    beyond, refused = connect(1, 5)
                    print("AFTER CLOSING FOUR", len(again) + len(beyond), "REFUSED", refused, flush=True)
                    # Traffic the bound does not need is not tracked: 500 datagrams to closed ports add no entries.
                    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                    for port in range(20000, 20500):
                        udp.sendto(b"x", ("127.0.0.1", port))
                    print("UDP SENT", flush=True)
                    while not os.path.exists("/instance/workspace/counted"):
                        time.sleep(0.05)
                    """.formatted(shared.getLocalPort());
            String instance = unique("flooding");
            Started started = start(instance, LoopbackPorts.free(), List.of("/usr/bin/python3", "-c", flood));
            started.awaitOutput("UDP SENT");
            String namespace = NetworkCell.nsenterOption(NetworkCell.namespaceName(instance));
            // The entries tracked, and how long a connection the agent half-closed stays counted (an egress tunnel: 15 minutes).
            List<String> conntrack = SandboxTools.run(List.of("nsenter", namespace, "--", "cat",
                    "/proc/sys/net/netfilter/nf_conntrack_count", "/proc/sys/net/netfilter/nf_conntrack_tcp_timeout_close_wait"))
                    .strip().lines().toList();
            int tracked = Integer.parseInt(conntrack.getFirst().strip());
            String halfClosed = conntrack.getLast().strip();
            Files.writeString(instancesDir.resolve(instance).resolve("workspace/counted"), "", UTF_8);
            Run run = started.finish();

            assertThat(run.output()).contains("HELD " + CONNECTIONS_PER_PORT + " REFUSED " + (40 - CONNECTIONS_PER_PORT))
                    .contains("AFTER CLOSING FOUR 4 REFUSED 1");
            // Only what it was let through reached the host's port (pasta connects on the sandbox's behalf, a moment later).
            long deadline = System.nanoTime() + RUN_TIMEOUT.toNanos();
            while (accepted.get() < CONNECTIONS_PER_PORT + 4 && System.nanoTime() - deadline < 0) {
                Thread.sleep(20);
            }
            assertThat(accepted.get()).isEqualTo(CONNECTIONS_PER_PORT + 4);
            // The held and closed connections to the port (40 and fewer), not the datagrams.
            assertThat(tracked).isLessThan(100);
            assertThat(halfClosed).isEqualTo("900");
        } finally {
            for (Socket socket : held) {
                socket.close();
            }
        }
    }

    @Test
    void refusesAnOpenClawInstallOtherUsersCannotRead() throws IOException {
        Files.setPosixFilePermissions(runtime, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        assertThatThrownBy(() -> sandbox.open(request("unreadable", LoopbackPorts.free(), List.of("/bin/true"))))
                .isInstanceOf(IOException.class).hasMessageContaining(runtime.toString()).hasMessageContaining("chmod -R a+rX");
    }

    @Test
    void namesWhatIsMissingInsteadOfRunningUnconfined(@TempDir Path tools) throws IOException {
        for (String tool : List.of("pasta", "ip", "nft", "nsenter", "setpriv", "prlimit", "sh")) {
            Files.createSymbolicLink(tools.resolve(tool), which(tool));
        }
        try (Sandbox withoutBubblewrap = new Sandbox(config(List.of()), instancesDir, tools.toString(), new SecureRandom(), Cgroups.NONE)) {
            assertThat(withoutBubblewrap.problem()).hasValueSatisfying(problem -> assertThat(problem)
                    .contains("bwrap (Debian package bubblewrap)").contains("CHOWDER_SANDBOX=off").doesNotContain("pasta ("));
            assertThatThrownBy(() -> withoutBubblewrap.open(request("refused", LoopbackPorts.free(), List.of("/bin/true"))))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("bwrap");
        }
        assertThat(Files.exists(instancesDir.resolve("refused/workspace/.ran"))).isFalse();
    }

    /** A kernel without nftables' connection counting: no sandbox, and the start says what to set to go on without the bound. */
    @Test
    void aHostWhereConnectionsCannotBeCountedIsToldSoAtStart(@TempDir Path tools) throws IOException {
        for (String tool : List.of("bwrap", "pasta", "ip", "nsenter", "setpriv", "prlimit", "sh")) {
            Files.createSymbolicLink(tools.resolve(tool), which(tool));
        }
        Path nft = tools.resolve("nft");
        Files.writeString(nft, "#!/bin/sh\necho 'Error: Could not process rule: No such file or directory' >&2\nexit 1\n", UTF_8);
        Files.setPosixFilePermissions(nft, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        try (Sandbox withoutConnlimit = new Sandbox(config(List.of()), instancesDir, tools.toString(), new SecureRandom(), Cgroups.NONE)) {
            assertThat(withoutConnlimit.problem()).hasValueSatisfying(problem -> assertThat(problem)
                    .contains("cannot bound the connections of the sandbox's network with nftables")
                    .contains("Could not process rule").contains("CHOWDER_SANDBOX_MAX_CONNECTIONS=0"));
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


    private static Path which(String tool) {
        for (String directory : SandboxTools.searchPath(System.getenv("PATH")).split(":")) {
            Path candidate = Path.of(directory.isEmpty() ? "." : directory, tool);
            if (Files.isExecutable(candidate)) {
                return candidate.toAbsolutePath();
            }
        }
        throw new AssertionError(tool + " not found");
    }

    /** The one live process with {@code argument} among its arguments (pasta has its namespace's name). */
    private static ProcessHandle processWithArgument(String argument) {
        List<ProcessHandle> found = ProcessHandle.allProcesses()
                .filter(process -> process.info().arguments().map(arguments -> List.of(arguments).contains(argument)).orElse(false))
                .toList();
        assertThat(found).as("processes with the argument " + argument).hasSize(1);
        return found.getFirst();
    }

    private static List<String> environmentOf(ProcessHandle process) throws IOException {
        String environ = new String(Files.readAllBytes(Path.of("/proc", Long.toString(process.pid()), "environ")), UTF_8);
        return environ.isEmpty() ? List.of() : List.of(environ.split("\0"));
    }
}
