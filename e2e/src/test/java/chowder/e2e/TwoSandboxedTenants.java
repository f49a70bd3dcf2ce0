package chowder.e2e;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import chowder.testing.HostNetwork;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Two organizations' provisioned instances, each a real OpenClaw gateway in its sandbox, shared by the
 * {@code SandboxEscape*Test} classes; their agents are made to run shell commands with their own {@code exec} tool (the
 * scripted model answers a message with a call of that tool and reports what it printed). Acme's model is on this host's
 * loopback, Globex's on its network address, reached through the egress proxy.
 */
final class TwoSandboxedTenants implements AutoCloseable {
    static final Duration START_TIMEOUT = Duration.ofSeconds(240);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The extension that gives a test class the one environment of the run. */
    static final class Shared extends SharedEnvironment<TwoSandboxedTenants> {
        Shared() {
            super(TwoSandboxedTenants.class, TwoSandboxedTenants::start);
        }
    }

    /**
     * Listeners of the test's own, open before any sandbox is, so that "closed" means refused rather than that nothing
     * listens: on both loopback addresses and on this host's network address (where Globex's model is, on another port).
     */
    private final List<CountingListener> listeners = new ArrayList<>();
    private final List<ScriptedModelServer> models = new ArrayList<>();
    private ChowderProcess chowder;
    private ChowderApi api;
    private AgentShell shell;
    private SandboxTenant acme;
    private SandboxTenant globex;

    private TwoSandboxedTenants() {}

    static TwoSandboxedTenants start() {
        return SharedEnvironment.started(new TwoSandboxedTenants(), TwoSandboxedTenants::startTwoOrganizationsSandboxedInstances);
    }

    private void startTwoOrganizationsSandboxedInstances() throws IOException {
        OpenClawRuntime.locate();
        for (InetAddress address : List.of(InetAddress.getByName("127.0.0.1"), InetAddress.getByName("::1"), HostNetwork.address())) {
            listeners.add(CountingListener.on(address));
        }
        ScriptedModelServer loopbackModel = ScriptedModelServer.start();
        models.add(loopbackModel);
        ScriptedModelServer networkModel = ScriptedModelServer.startOn(HostNetwork.address());
        models.add(networkModel);
        Path providers = Files.createTempFile("model-providers", ".json");
        Files.writeString(providers, JSON.createObjectNode().put("default_provider", "local").set("providers", JSON.createObjectNode()
                .<ObjectNode>set("local", provider(loopbackModel))
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
                "CHOWDER_GATEWAY_RESTART_BACKOFF_MAX", "2s"));
        api = new ChowderApi(chowder.baseUrl());
        shell = new AgentShell(chowder, api);
        acme = tenant("Acme", "local");
        globex = tenant("Globex", "network");
        api.awaitRunning(acme.key(), acme.instance(), START_TIMEOUT);
        api.awaitRunning(globex.key(), globex.instance(), START_TIMEOUT);
        for (SandboxTenant tenant : List.of(acme, globex)) {
            HttpResponse<String> written = api.put("/v1/instances/" + tenant.instance() + "/files/content", tenant.key(),
                    JSON.createObjectNode().put("path", "private/secret.txt").put("content", tenant.secret()).toString());
            assertThat(written.statusCode()).as(written.body()).isEqualTo(204);
        }
    }

    ChowderProcess chowder() {
        return chowder;
    }

    ChowderApi api() {
        return api;
    }

    SandboxTenant acme() {
        return acme;
    }

    SandboxTenant globex() {
        return globex;
    }

    List<CountingListener> listeners() {
        return List.copyOf(listeners);
    }

    SandboxedInstance instance(SandboxTenant tenant) {
        return SandboxedInstance.of(chowder.dataDirectory(), tenant.instance());
    }

    /** The port of the tenant's gateway, as Chowder shows it. */
    int port(SandboxTenant tenant) {
        return URI.create(ChowderApi.json(api.get("/v1/instances/" + tenant.instance(), tenant.key()).body())
                .path("gateway_url").asText()).getPort();
    }

    void awaitStatus(SandboxTenant tenant, String status) throws InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!ChowderApi.json(api.get("/v1/instances/" + tenant.instance(), tenant.key()).body()).path("status").asText().equals(status)) {
            assertThat(System.nanoTime() - deadline).as("waiting for %s to be %s", tenant.name(), status).isNegative();
            Thread.sleep(50);
        }
    }

    /** Runs {@code command} with the tenant's agent's exec tool, in a session of its own, and returns what it printed. */
    String shell(SandboxTenant tenant, String command) {
        return shell.run(tenant.key(), tenant.instance(), command);
    }

    /**
     * Refuses to send a command to an agent that is not in its sandbox: {@code kill -9 -1} from an unconfined root agent
     * took every process of a test machine down once.
     */
    void requireConfined(SandboxTenant tenant) {
        shell.requireConfined(tenant.instance());
    }

    ScriptedReply say(SandboxTenant tenant, String text) {
        String session = text.replaceAll("[^a-z]+", "-");
        HttpResponse<String> response = api.post(ChowderApi.sessionResponsesPath(tenant.instance(), session), tenant.key(), message(text));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return ScriptedReply.parse(ChowderApi.json(response.body()).at("/output/0/content/0/text").asText());
    }

    /** Runs {@code action} for both tenants at once. */
    Map<SandboxTenant, String> both(Function<SandboxTenant, String> action) {
        CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> action.apply(acme));
        CompletableFuture<String> second = CompletableFuture.supplyAsync(() -> action.apply(globex));
        return Map.of(acme, first.join(), globex, second.join());
    }

    static String message(String text) {
        return JSON.createObjectNode().put("model", "claude-sonnet-4-20250514").put("input", text).toString();
    }

    @Override
    public void close() {
        if (chowder != null) {
            chowder.close();
        }
        for (CountingListener listener : listeners) {
            try {
                listener.close();
            } catch (IOException e) {
                // the rest still needs closing
            }
        }
        models.forEach(ScriptedModelServer::close);
    }

    private SandboxTenant tenant(String name, String provider) {
        String key = chowder.createOrganization(name).apiKey();
        HttpResponse<String> created = api.post("/v1/instances", key,
                JSON.createObjectNode().put("name", name.toLowerCase() + "-agent").put("model_provider", provider).toString());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return new SandboxTenant(name, key, ChowderApi.json(created.body()).path("id").asText(), "secret-of-" + name + "-" + UUID.randomUUID());
    }

    private static ObjectNode provider(ScriptedModelServer model) {
        ObjectNode provider = JSON.createObjectNode().put("base_url", model.baseUrl().toString());
        provider.putArray("models").add("echo-1");
        return provider;
    }
}
