package chowder.e2e;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import chowder.testing.HostNetwork;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Two organizations' provisioned instances, each a real OpenClaw gateway in its sandbox, whose agents are made to run
 * shell commands with their own {@code exec} tool: the scripted model answers a message with a call of that tool and
 * reports what it printed. Every escape that worked against an unconfined gateway is tried from both at once and must
 * fail; what an agent legitimately does (its own files, both ways through the files API; its model, on this host's
 * loopback for one and through the egress proxy on this host's network address for the other) must work.
 */
@Timeout(900)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SandboxEscapeTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration START_TIMEOUT = Duration.ofSeconds(240);
    private static final List<Integer> HOST_SERVICES = List.of(5432, 6379, 3306, 5672, 4222, 1883);

    /**
     * Listeners of the test's own, open before any sandbox is, so that "closed" means refused rather than that nothing
     * listens: on both loopback addresses and on this host's network address (where Globex's model is, on another port).
     */
    private static List<Listener> listeners = List.of();
    private static ScriptedModelServer loopbackModel;
    private static ScriptedModelServer networkModel;
    private static ChowderProcess chowder;
    private static ChowderApi api;
    private static AgentShell shell;
    private static Tenant acme;
    private static Tenant globex;

    /** One organization with one provisioned instance, and the secret it keeps in its workspace. */
    private record Tenant(String name, String key, String instance, String secret) {}

    @BeforeAll
    static void startTwoOrganizationsSandboxedInstances() throws Exception {
        OpenClawRuntime.locate();
        listeners = List.of(Listener.on(InetAddress.getByName("127.0.0.1")), Listener.on(InetAddress.getByName("::1")),
                Listener.on(HostNetwork.address()));
        loopbackModel = ScriptedModelServer.start();
        networkModel = ScriptedModelServer.startOn(HostNetwork.address());
        Path providers = Files.createTempFile("model-providers", ".json");
        Files.writeString(providers, JSON.createObjectNode().put("default_provider", "local").set("providers", JSON.createObjectNode()
                .<com.fasterxml.jackson.databind.node.ObjectNode>set("local", provider(loopbackModel))
                .set("network", provider(networkModel))).toString(), UTF_8);
        Path catalog = Files.createTempDirectory("skills-catalog");
        Files.writeString(Files.createDirectories(catalog.resolve("desk")).resolve("SKILL.md"), """
                ---
                name: desk
                description: Files tickets
                metadata: { "openclaw": { "requires": { "env": ["DESK_TOKEN"] } } }
                ---
                """, UTF_8);
        chowder = ChowderProcess.start(Map.of(
                "CHOWDER_PROVISIONER", "local",
                "CHOWDER_OPENCLAW_INSTALL_DIR", OpenClawRuntime.installRoot().toString(),
                "CHOWDER_MODEL_PROVIDERS", providers.toString(),
                "CHOWDER_SKILLS_CATALOG", catalog.toString(),
                "CHOWDER_GATEWAY_RESTART_BACKOFF_MAX", "2s",
                // A uid range of this run's own: another Chowder on this host (another run of the suite) kills the
                // processes of its instances' uids before each launch, as it must.
                "CHOWDER_SANDBOX_FIRST_UID", Long.toString(1_600_000_000L + 1_000_000L * new java.security.SecureRandom().nextInt(400))));
        api = new ChowderApi(chowder.baseUrl());
        shell = new AgentShell(chowder, api);
        acme = tenant("Acme", "local");
        globex = tenant("Globex", "network");
        api.awaitRunning(acme.key(), acme.instance(), START_TIMEOUT);
        api.awaitRunning(globex.key(), globex.instance(), START_TIMEOUT);
        for (Tenant tenant : List.of(acme, globex)) {
            HttpResponse<String> written = api.put("/v1/instances/" + tenant.instance() + "/files/content", tenant.key(),
                    JSON.createObjectNode().put("path", "private/secret.txt").put("content", tenant.secret()).toString());
            assertThat(written.statusCode()).as(written.body()).isEqualTo(204);
        }
    }

    @AfterAll
    static void stopAll() throws IOException {
        if (chowder != null) {
            chowder.close();
        }
        for (Listener listener : listeners) {
            listener.close();
        }
        for (ScriptedModelServer model : new ScriptedModelServer[] {loopbackModel, networkModel}) {
            if (model != null) {
                model.close();
            }
        }
    }

    @Test
    @Order(1)
    void eachAgentRunsAsAnUnprivilegedUidOfItsOwnWithoutCapabilities() {
        for (Tenant tenant : List.of(acme, globex)) {
            assertThat(ChowderApi.json(api.get("/v1/instances/" + tenant.instance(), tenant.key()).body()).path("sandbox").asText())
                    .isEqualTo("bubblewrap");
        }
        Map<Tenant, String> status = both(tenant -> shell(tenant, "id -u; grep -E '^(CapEff|CapBnd|NoNewPrivs|Seccomp):' /proc/self/status; "
                + "unshare -U -r true && echo MADE-A-USER-NAMESPACE; "
                + "/usr/bin/python3 -c 'import socket; socket.socket(socket.AF_VSOCK, socket.SOCK_STREAM); print(\"VSOCK OPENED\")'"));
        long acmeUid = Long.parseLong(status.get(acme).lines().findFirst().orElseThrow().strip());
        long globexUid = Long.parseLong(status.get(globex).lines().findFirst().orElseThrow().strip());
        assertThat(acmeUid).isNotEqualTo(globexUid).isNotZero().isEqualTo(instance(acme).uid());
        assertThat(globexUid).isNotZero().isEqualTo(instance(globex).uid());
        for (String output : status.values()) {
            assertThat(output).contains("CapEff:\t0000000000000000", "CapBnd:\t0000000000000000", "NoNewPrivs:\t1", "Seccomp:\t2")
                    .doesNotContain("MADE-A-USER-NAMESPACE").doesNotContain("VSOCK OPENED").contains("Address family not supported");
        }
        assertThat(instance(acme).gateway().info().user()).isNotEqualTo(ProcessHandle.current().info().user());
    }

    @Test
    @Order(2)
    void noAgentReadsChowdersDataOrTheOtherOrganizationsFiles() throws IOException {
        Path data = chowder.dataDirectory();
        String masterKey = Files.readString(data.resolve("master.key"), UTF_8).strip();
        Map<Tenant, String> outputs = both(tenant -> {
            Tenant other = tenant == acme ? globex : acme;
            Path otherWorkspace = instance(other).directory().resolve("workspace");
            return shell(tenant, "ls " + data + "; cat " + data.resolve("master.key") + " " + data.resolve("chowder.mv.db") + "; cat "
                    + otherWorkspace.resolve("private/secret.txt") + "; ls /instance/..; ls /root /home /var 2>&1; "
                    + "find / \\( -path /proc -o -path /usr -o -path /opt \\) -prune -o \\( -name secret.txt -o -name master.key "
                    + "-o -name 'chowder.*.db' \\) -print 2>/dev/null; echo END");
        });
        for (Tenant tenant : List.of(acme, globex)) {
            Tenant other = tenant == acme ? globex : acme;
            String output = outputs.get(tenant);
            assertThat(output).contains("No such file or directory", "END")
                    .doesNotContain(masterKey)
                    .doesNotContain(other.secret())
                    .doesNotContain("chowder.mv.db\n");
            // Its own secret is where it left it, and the only one it finds.
            assertThat(output.lines().filter(line -> line.endsWith("secret.txt")).toList()).containsExactly("/instance/workspace/private/secret.txt");
        }
    }

    @Test
    @Order(3)
    void noAgentSeesTheProcessesOrEnvironmentOfChowderOrTheOtherGateway() {
        ProcessHandle chowderProcess = ProcessHandle.allProcesses()
                .filter(process -> process.info().arguments().map(List::of).orElse(List.of()).contains("serve")
                        && process.info().commandLine().orElse("").contains(chowder.dataDirectory().toString()))
                .findFirst().orElseThrow();
        String acmeToken = SandboxedInstance.environment(instance(acme).gateway()).get("OPENCLAW_GATEWAY_TOKEN");
        String globexToken = SandboxedInstance.environment(instance(globex).gateway()).get("OPENCLAW_GATEWAY_TOKEN");
        assertThat(acmeToken).isNotBlank();
        Map<Tenant, String> outputs = both(tenant -> {
            ProcessHandle otherGateway = instance(tenant == acme ? globex : acme).gateway();
            return shell(tenant, "ls /proc | grep -cE '^[0-9]+$'; cat /proc/" + chowderProcess.pid() + "/environ; cat /proc/"
                    + otherGateway.pid() + "/environ; for p in /proc/[0-9]*; do cat $p/environ 2>/dev/null; echo; done | tr '\\0' '\\n' "
                    + "| grep -E '^(CHOWDER_|OPENCLAW_GATEWAY_TOKEN)' | sort -u; ps -eo user,pid,comm");
        });
        for (Tenant tenant : List.of(acme, globex)) {
            String output = outputs.get(tenant);
            assertThat(Integer.parseInt(output.lines().findFirst().orElseThrow().strip())).isLessThan(30);
            assertThat(output).doesNotContain("CHOWDER_").doesNotContain("java");
            assertThat(output).doesNotContain(tenant == acme ? globexToken : acmeToken);
        }
    }

    @Test
    @Order(4)
    void noAgentConnectsToTheHostsServicesToChowderOrToTheOtherGateway() throws Exception {
        for (Listener listener : listeners) {
            listener.reachableFromTheHost();
        }
        // PostgreSQL and Redis listen on this host's loopback (the persistence tests need PostgreSQL).
        for (int port : List.of(5432, 6379)) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
            }
        }
        Map<Tenant, String> outputs = both(tenant -> {
            int otherGateway = port(tenant == acme ? globex : acme);
            StringBuilder command = new StringBuilder();
            for (int port : concat(HOST_SERVICES, List.of(chowder.baseUrl().getPort(), otherGateway))) {
                command.append(probe("127.0.0.1", port, "port " + port));
            }
            command.append(probe("169.254.169.254", 80, "metadata"));
            for (Listener listener : listeners) {
                command.append(probe(listener.host(), listener.port(), "listener " + listener.destination()));
            }
            List<String> viaProxy = new java.util.ArrayList<>(List.of("127.0.0.1:5432", "[::1]:6379", "169.254.169.254:80",
                    "127.0.0.1:" + otherGateway));
            listeners.forEach(listener -> viaProxy.add(listener.destination()));
            for (String destination : viaProxy) {
                command.append("curl -s -m 5 --noproxy '' -p -x \"$OPENCLAW_PROXY_URL\" http://").append(destination)
                        .append("/ -o /dev/null -w 'proxy to ").append(destination).append(" %{http_connect}\\n'; ");
            }
            return shell(tenant, command.toString());
        });
        for (Tenant tenant : List.of(acme, globex)) {
            String output = outputs.get(tenant);
            assertThat(output).doesNotContain("OPEN").contains("metadata closed");
            for (int port : HOST_SERVICES) {
                assertThat(output).contains("port " + port + " closed");
            }
            for (Listener listener : listeners) {
                assertThat(output).contains("listener " + listener.destination() + " closed");
            }
            assertThat(output.lines().filter(line -> line.startsWith("proxy to ")).toList()).hasSize(4 + listeners.size())
                    .allMatch(line -> line.endsWith(" 403"));
        }
        for (Listener listener : listeners) {
            assertThat(listener.accepted()).as("connections to %s: the host's own only", listener.destination()).isEqualTo(1);
        }
    }

    /** A shell line that tries a TCP connection from inside and prints {@code <label> OPEN} or {@code <label> closed}. */
    private static String probe(String host, int port, String label) {
        return "timeout 3 bash -c 'echo > /dev/tcp/" + host + "/" + port + "' 2>/dev/null && echo '" + label + " OPEN' || echo '" + label
                + " closed'; ";
    }

    /** A TCP listener of the test's own that counts the connections it accepts. */
    private record Listener(ServerSocket socket, AtomicInteger accepts) implements AutoCloseable {
        static Listener on(InetAddress address) throws IOException {
            Listener listener = new Listener(new ServerSocket(0, 50, address), new AtomicInteger());
            Thread.ofVirtual().start(() -> {
                while (!listener.socket().isClosed()) {
                    try (Socket ignored = listener.socket().accept()) {
                        listener.accepts().incrementAndGet();
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
            return listener;
        }

        /** Connects from the host, where it must work: the one connection {@link #accepted()} counts. */
        void reachableFromTheHost() throws Exception {
            try (Socket client = new Socket()) {
                client.connect(new InetSocketAddress(socket.getInetAddress(), socket.getLocalPort()), 5000);
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (accepts.get() == 0) {
                assertThat(System.nanoTime() - deadline).as("the host's connection to %s accepted", destination()).isNegative();
                Thread.sleep(10);
            }
        }

        int accepted() {
            return accepts.get();
        }

        String host() {
            return socket.getInetAddress().getHostAddress();
        }

        int port() {
            return socket.getLocalPort();
        }

        /** {@code host:port}, the host in brackets for IPv6, as curl and the egress proxy take it. */
        String destination() {
            return (socket.getInetAddress() instanceof java.net.Inet6Address ? "[" + host() + "]" : host()) + ":" + port();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    @Test
    @Order(5)
    void noAgentKillsOrImpersonatesTheOtherOrganizationsGateway() {
        long globexGateway = instance(globex).gateway().pid();
        String attack = shell(acme, "kill -9 " + globexGateway + "; /usr/bin/python3 -c 'import socket; s = socket.socket(); "
                + "s.bind((\"127.0.0.1\", " + port(globex) + ")); s.listen(); print(\"BOUND IN ITS OWN NETWORK\")'");
        assertThat(attack).contains("No such process");
        assertThat(ProcessHandle.of(globexGateway).filter(ProcessHandle::isAlive)).isPresent();
        // Whatever it bound is in its own network: Globex's messages still reach Globex's agent.
        ScriptedReply reply = say(globex, "still mine?");
        assertThat(reply.session()).contains("still-mine");
        assertThat(instance(globex).gateway().pid()).isEqualTo(globexGateway);
    }

    @Test
    @Order(6)
    void anAgentsFilesAreItsOwnThroughTheFilesApiBothWays() {
        String files = "/v1/instances/" + acme.instance() + "/files";
        String written = shell(acme, "mkdir -p /instance/workspace/reports && echo 'written by the agent' > /instance/workspace/reports/today.txt "
                + "&& cat /instance/workspace/private/secret.txt && echo ' and changed by it' >> /instance/workspace/private/secret.txt && echo DONE");
        assertThat(written).contains(acme.secret(), "DONE");
        HttpResponse<String> report = api.get(files + "/content?path=reports%2Ftoday.txt", acme.key());
        assertThat(ChowderApi.json(report.body()).path("content").asText()).isEqualTo("written by the agent\n");
        assertThat(ChowderApi.json(api.get(files + "/content?path=private%2Fsecret.txt", acme.key()).body()).path("content").asText())
                .isEqualTo(acme.secret() + " and changed by it\n");
        assertThat(api.get("/v1/instances/" + acme.instance() + "/files/content?path=reports%2Ftoday.txt", globex.key()).statusCode()).isEqualTo(404);
        // What the agent leaves behind to trap Chowder is refused, and nobody waits for it.
        shell(acme, "mkfifo /instance/workspace/trap && ln -s /instance/config/openclaw.json /instance/workspace/config-link && ln -s ../../ /instance/workspace/up");
        for (String path : List.of("trap", "trap", "config-link", "up%2Fopenclaw.json")) {
            assertThat(api.get(files + "/content?path=" + path, acme.key()).statusCode()).as(path).isEqualTo(400);
        }
    }

    @Test
    @Order(7)
    void killingEveryProcessItCanReachTakesDownOnlyItsOwnSandbox() throws Exception {
        long globexGateway = instance(globex).gateway().pid();
        long acmeGateway = instance(acme).gateway().pid();
        requireConfined(acme);
        HttpResponse<String> killed = api.post(ChowderApi.sessionResponsesPath(acme.instance(), "kill-all"), acme.key(),
                message("run " + ModelScript.exec("kill -9 -1")));
        assertThat(killed.statusCode()).as(killed.body()).isIn(200, 502);

        for (int port : List.of(5432, 6379)) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
            }
        }
        assertThat(api.get("/healthz", null).statusCode()).isEqualTo(200);
        assertThat(ProcessHandle.of(globexGateway).filter(ProcessHandle::isAlive)).isPresent();
        assertThat(say(globex, "after the other agent killed everything").session()).contains("after-the-other");
        // Its own gateway died with its sandbox; Chowder notices, and restarts it.
        assertThat(ProcessHandle.of(acmeGateway).filter(ProcessHandle::isAlive)).isEmpty();
        awaitStatus(acme, "error");
        api.awaitRunning(acme.key(), acme.instance(), START_TIMEOUT);
        assertThat(shell(acme, "cat /instance/workspace/reports/today.txt")).contains("written by the agent");
        assertThat(chowder.log()).doesNotContain(Files.readString(chowder.dataDirectory().resolve("master.key"), UTF_8).strip());
    }

    @Test
    @Order(8)
    void oneOrganizationsSkillSecretReachesItsOwnGatewayAndNoOtherAgent() {
        String secret = "desk-token-" + UUID.randomUUID();
        HttpResponse<String> installed = api.post("/v1/instances/" + acme.instance() + "/skills/install", acme.key(),
                JSON.createObjectNode().put("slug", "desk").set("env", JSON.createObjectNode().put("DESK_TOKEN", secret)).toString());
        assertThat(installed.statusCode()).as(installed.body()).isEqualTo(200);
        assertThat(installed.body()).doesNotContain(secret);

        assertThat(shell(acme, "cat /instance/config/openclaw.json")).contains(secret);
        // Every config it can find, and every environment it can see, printed (the command does not name the secret).
        String search = shell(globex, "find / -path /proc -prune -o -name openclaw.json -print 2>/dev/null | xargs cat; "
                + "cat /dev/shm/chowder-*/*/openclaw.json 2>&1; cat /proc/[0-9]*/environ 2>/dev/null | tr '\\0' '\\n'; echo END");
        assertThat(search).contains("END", "No such file or directory").doesNotContain(secret).doesNotContain("DESK_TOKEN");
    }

    private static Tenant tenant(String name, String provider) {
        String key = chowder.createOrganization(name).apiKey();
        HttpResponse<String> created = api.post("/v1/instances", key,
                JSON.createObjectNode().put("name", name.toLowerCase() + "-agent").put("model_provider", provider).toString());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return new Tenant(name, key, ChowderApi.json(created.body()).path("id").asText(), "secret-of-" + name + "-" + UUID.randomUUID());
    }

    private static SandboxedInstance instance(Tenant tenant) {
        return SandboxedInstance.of(chowder.dataDirectory(), tenant.instance());
    }

    private static int port(Tenant tenant) {
        return java.net.URI.create(ChowderApi.json(api.get("/v1/instances/" + tenant.instance(), tenant.key()).body())
                .path("gateway_url").asText()).getPort();
    }

    private static void awaitStatus(Tenant tenant, String status) throws InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!ChowderApi.json(api.get("/v1/instances/" + tenant.instance(), tenant.key()).body()).path("status").asText().equals(status)) {
            assertThat(System.nanoTime() - deadline).as("waiting for %s to be %s", tenant.name(), status).isNegative();
            Thread.sleep(50);
        }
    }

    /** Runs {@code command} with the tenant's agent's exec tool, in a session of its own, and returns what it printed. */
    private static String shell(Tenant tenant, String command) {
        return shell.run(tenant.key(), tenant.instance(), command);
    }

    /**
     * Refuses to send a command to an agent that is not in its sandbox: {@code kill -9 -1} from an unconfined root agent
     * took every process of a test machine down once.
     */
    private static void requireConfined(Tenant tenant) {
        shell.requireConfined(tenant.instance());
    }

    private static ScriptedReply say(Tenant tenant, String text) {
        String session = text.replaceAll("[^a-z]+", "-");
        HttpResponse<String> response = api.post(ChowderApi.sessionResponsesPath(tenant.instance(), session), tenant.key(), message(text));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return ScriptedReply.parse(ChowderApi.json(response.body()).at("/output/0/content/0/text").asText());
    }

    /** Runs {@code action} for both tenants at once. */
    private static Map<Tenant, String> both(Function<Tenant, String> action) {
        CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> action.apply(acme));
        CompletableFuture<String> second = CompletableFuture.supplyAsync(() -> action.apply(globex));
        return Map.of(acme, first.join(), globex, second.join());
    }

    private static String message(String text) {
        return JSON.createObjectNode().put("model", "claude-sonnet-4-20250514").put("input", text).toString();
    }

    private static com.fasterxml.jackson.databind.node.ObjectNode provider(ScriptedModelServer model) {
        com.fasterxml.jackson.databind.node.ObjectNode provider = JSON.createObjectNode().put("base_url", model.baseUrl().toString());
        provider.putArray("models").add("echo-1");
        return provider;
    }

    private static List<Integer> concat(List<Integer> first, List<Integer> second) {
        return java.util.stream.Stream.concat(first.stream(), second.stream()).toList();
    }
}
