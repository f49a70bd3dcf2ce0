package chowder.e2e;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Organizations bring their own model keys, and their sandboxed agents reach their providers only through Chowder's
 * model endpoint, on real OpenClaw gateways: Acme's agent uses an OpenAI-format provider with Acme's key, Globex's an
 * Anthropic-format one with Globex's; neither agent can find a key with its own tools; usage adds up to what the
 * providers reported; a budget stops the agent's next model call and the organization's next turn.
 */
class ModelEgressEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration START_TIMEOUT = Duration.ofSeconds(240);
    private static final String METRICS_TOKEN = "metrics-token-for-the-e2e-suite";
    private static final String ACME_KEY = "sk-acme-" + HexFormat.of().formatHex(java.security.SecureRandom.getSeed(12));
    private static final String GLOBEX_KEY = "sk-ant-globex-" + HexFormat.of().formatHex(java.security.SecureRandom.getSeed(12));

    private static ScriptedModelServer openai;
    private static ScriptedAnthropicModel anthropic;
    private static ChowderProcess chowder;
    private static ChowderApi api;
    private static AgentShell shell;
    private static ChowderProcess.Organization acme;
    private static ChowderProcess.Organization globex;
    private static String acmeInstance;
    private static String globexInstance;

    @BeforeAll
    static void startTwoOrganizationsWithTheirOwnKeys() throws Exception {
        OpenClawRuntime.locate();
        openai = ScriptedModelServer.start();
        anthropic = ScriptedAnthropicModel.start();
        // The operator points the hosted providers' names at the scripted models and offers no key of its own.
        ObjectNode providers = JSON.createObjectNode().put("default_provider", "openai");
        ObjectNode openaiProvider = providers.putObject("providers").putObject("openai").put("base_url", openai.baseUrl().toString());
        openaiProvider.putArray("models").add("echo-1");
        ObjectNode anthropicProvider = ((ObjectNode) providers.get("providers")).putObject("anthropic")
                .put("base_url", anthropic.baseUrl().toString()).put("api", "anthropic-messages");
        anthropicProvider.putArray("models").add("claude-scripted");
        Path file = Files.createTempFile("model-providers", ".json");
        Files.writeString(file, providers.toString(), UTF_8);
        chowder = ChowderProcess.start(Map.of(
                "CHOWDER_PROVISIONER", "local",
                "CHOWDER_OPENCLAW_INSTALL_DIR", OpenClawRuntime.installRoot().toString(),
                "CHOWDER_MODEL_PROVIDERS", file.toString(),
                "CHOWDER_OPERATOR_MODEL_KEYS", "none",
                "CHOWDER_METRICS_TOKEN", METRICS_TOKEN,
                "CHOWDER_GATEWAY_RESTART_BACKOFF_MAX", "2s"));
        api = new ChowderApi(chowder.baseUrl());
        shell = new AgentShell(chowder, api);
        acme = chowder.createOrganization("Acme");
        globex = chowder.createOrganization("Globex");
        assertThat(api.send("PATCH", "/v1/organization", acme.apiKey(), "{\"model_api_keys\": {\"openai\": \"" + ACME_KEY + "\"}}")
                .statusCode()).isEqualTo(200);
        HttpResponse<String> globexKeys = api.send("PATCH", "/v1/organization", globex.apiKey(),
                "{\"model_api_keys\": {\"anthropic\": \"" + GLOBEX_KEY + "\"}}");
        assertThat(globexKeys.statusCode()).isEqualTo(200);
        assertThat(globexKeys.body()).contains("\"model_providers\":[\"anthropic\"]").doesNotContain(GLOBEX_KEY);
        acmeInstance = create(acme, "{\"name\": \"acme-agent\"}");
        globexInstance = create(globex, "{\"name\": \"globex-agent\", \"model_provider\": \"anthropic\"}");
        CompletableFuture<Void> acmeRunning = CompletableFuture.runAsync(() -> api.awaitRunning(acme.apiKey(), acmeInstance, START_TIMEOUT));
        api.awaitRunning(globex.apiKey(), globexInstance, START_TIMEOUT);
        acmeRunning.join();
    }

    @AfterAll
    static void stopAll() {
        if (chowder != null) {
            chowder.close();
        }
        if (openai != null) {
            openai.close();
        }
        if (anthropic != null) {
            anthropic.close();
        }
    }

    @Test
    void anOrganizationWithoutAKeyForTheProviderGetsNoInstance() {
        // Globex holds no OpenAI key and the operator lends none: the hosted API's 422.
        HttpResponse<String> refused = api.post("/v1/instances", globex.apiKey(), "{\"name\": \"x\", \"model_provider\": \"openai\"}");
        assertThat(refused.statusCode()).isEqualTo(422);
        assertThat(ChowderApi.json(refused.body()).path("detail").asText())
                .isEqualTo("model_provider openai: this organization holds no key for it; add one with PATCH /v1/organization "
                        + "{\"model_api_keys\": {\"openai\": \"…\"}}.");
        ChowderProcess.Organization initech = chowder.createOrganization("Initech");
        assertThat(api.post("/v1/instances", initech.apiKey(), "{\"name\": \"y\"}").statusCode()).isEqualTo(422);
    }

    @Test
    void eachOrganizationsAgentReachesItsProviderWithItsOwnKeyThroughChowder() {
        HttpResponse<String> acmeAnswer = api.post(ChowderApi.responsesPath(acmeInstance), acme.apiKey(), message("hello from acme"));
        assertThat(acmeAnswer.statusCode()).as(acmeAnswer.body()).isEqualTo(200);
        HttpResponse<String> globexAnswer = api.post(ChowderApi.responsesPath(globexInstance), globex.apiKey(), message("hello from globex"));
        assertThat(globexAnswer.statusCode()).as(globexAnswer.body()).isEqualTo(200);
        assertThat(globexAnswer.body()).contains("anthropic says:").contains("hello from globex");

        assertThat(openai.requests()).isNotEmpty().allSatisfy(request -> {
            assertThat(request.header("Authorization")).hasValue("Bearer " + ACME_KEY);
            // Chowder asked for the usage chunk of every stream.
            assertThat(request.conversation().stream() ? request.body() : "\"include_usage\":true").contains("\"include_usage\":true");
        });
        assertThat(anthropic.requests()).isNotEmpty().allSatisfy(request -> {
            assertThat(request.path()).isEqualTo("/v1/messages");
            assertThat(request.header("x-api-key")).isEqualTo(GLOBEX_KEY);
            assertThat(request.header("Authorization")).isNull();
        });
    }

    @Test
    void noAgentCanFindAnyModelKeyWithItsOwnTools() {
        // The command carries each key reversed and turns it round itself: the conversation (kept where the agent can
        // read it) then never holds a key as written, and only the real thing can match.
        String hunt = "for K in $(echo '" + reversed(ACME_KEY) + " " + reversed(GLOBEX_KEY) + "' | rev); do "
                + "printenv | grep -c \"$K\"; cat /proc/[0-9]*/environ 2>/dev/null | tr '\\0' '\\n' | grep -c \"$K\"; "
                + "grep -rlsF \"$K\" /instance /tmp /etc /run /var /root /home 2>/dev/null | head -5; done; "
                + "echo credential=${MODEL_CREDENTIAL:+set}; echo hunt-done";
        String found = shell.run(acme.apiKey(), acmeInstance, hunt);

        assertThat(found).contains("hunt-done").contains("credential=set");
        // Two counts per key, all zero, and no file listed.
        assertThat(found.lines().filter(line -> !line.startsWith("credential=") && !line.equals("hunt-done")).toList())
                .containsExactly("0", "0", "0", "0");
        assertThat(chowder.log()).doesNotContain(ACME_KEY).doesNotContain(GLOBEX_KEY);
        try (Stream<Path> files = Files.walk(chowder.dataDirectory())) {
            assertThat(files.filter(Files::isRegularFile).filter(file -> contains(file, ACME_KEY) || contains(file, GLOBEX_KEY)).toList())
                    .isEmpty();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void theInstancesUsageIsWhatItsProviderReported() {
        // A turn of each organization's own, so that there is usage to compare whatever ran before.
        assertThat(api.post(ChowderApi.responsesPath(acmeInstance), acme.apiKey(), message("usage of acme")).statusCode()).isEqualTo(200);
        assertThat(api.post(ChowderApi.responsesPath(globexInstance), globex.apiKey(), message("usage of globex")).statusCode()).isEqualTo(200);
        JsonNode acmeUsage = usageOnceCounted(acmeInstance, acme, openai::requestCount);
        assertThat(acmeUsage.path("requests").asLong()).isEqualTo(openai.requestCount());
        assertThat(acmeUsage.path("total_tokens").asLong()).isPositive().isEqualTo(openai.reportedTokens());
        assertThat(acmeUsage.at("/by_provider/0/provider").asText()).isEqualTo("openai");
        JsonNode globexUsage = usageOnceCounted(globexInstance, globex, () -> anthropic.requests().size());
        assertThat(globexUsage.path("requests").asLong()).isEqualTo(anthropic.requests().size());
        assertThat(globexUsage.path("total_tokens").asLong()).isPositive().isEqualTo(anthropic.reportedTokens());

        String metrics = api.send("GET", "/metrics", METRICS_TOKEN).body();
        assertThat(metrics).contains("chowder_model_tokens_total{organization=\"" + acme.id() + "\",provider=\"openai\",type=\"input\"}")
                .doesNotContain(ACME_KEY).doesNotContain(GLOBEX_KEY);
    }

    @Test
    void aSpentBudgetStopsTheAgentsNextModelCallAndTheOrganizationsNextTurn() {
        JsonNode plan = chowder.command("org", "plan", "--org", acme.id(), "--tokens-per-day", "1");
        assertThat(plan.at("/limits/tokens_per_day").asLong()).isEqualTo(1);
        try {
            spendTheBudgetAndBeRefused();
        } finally {
            // Acme's other tests need their turns, whichever order they run in.
            chowder.command("org", "plan", "--org", acme.id(), "--tokens-per-day", "none");
        }
    }

    private static void spendTheBudgetAndBeRefused() {
        int before = openai.requestCount();

        // Admitted (nothing spent yet today under this budget): the model asks for a tool; its answer spends past the
        // budget, so the model call after the tool's output is refused by the model endpoint, and the turn ends there.
        HttpResponse<String> turn = api.post(ChowderApi.responsesPath(acmeInstance), acme.apiKey(), message("run " + ModelScript.exec("echo over")));
        assertThat(openai.requestCount()).isEqualTo(before + 1);
        // The agent's client was told why and, a daily budget being no short rate limit, did not wait to retry; the
        // gateway then gave up with a bare 500, which Chowder answers with the refusal that caused it.
        assertThat(turn.statusCode()).as(turn.body()).isEqualTo(429);
        assertThat(turn.body()).doesNotContain(ScriptedModelServer.TOOL_RESULT.strip()).contains("Budget exceeded");
        String metrics = api.send("GET", "/metrics", METRICS_TOKEN).body();
        assertThat(metrics).contains("chowder_model_refused_total{reason=\"insufficient_quota\"}");

        HttpResponse<String> refused = api.post(ChowderApi.responsesPath(acmeInstance), acme.apiKey(), message("and again"));
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(ChowderApi.json(refused.body()).path("detail").asText())
                .startsWith("Budget exceeded: this organization's tokens_per_day (1 tokens) is spent; the daily budget renews in ");
        assertThat(refused.headers().firstValue("Retry-After")).isPresent();
        assertThat(openai.requestCount()).isEqualTo(before + 1);
        // Globex's budget is its own.
        assertThat(api.post(ChowderApi.responsesPath(globexInstance), globex.apiKey(), message("still here")).statusCode()).isEqualTo(200);
    }

    /**
     * The instance's model usage once it counts the requests its provider received, or as it stands after a few seconds:
     * a turn's last model call may be answered (and the turn with it) a moment before its usage is recorded.
     */
    private static JsonNode usageOnceCounted(String instance, ChowderProcess.Organization organization, LongSupplier received) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        JsonNode usage;
        do {
            usage = ChowderApi.json(api.get("/v1/instances/" + instance + "/usage", organization.apiKey()).body()).path("model");
            if (usage.path("requests").asLong() == received.getAsLong()) {
                return usage;
            }
            SupervisedProcess.sleep(Duration.ofMillis(200));
        } while (System.nanoTime() < deadline);
        return usage;
    }

    private static String create(ChowderProcess.Organization organization, String body) {
        HttpResponse<String> created = api.post("/v1/instances", organization.apiKey(), body);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return ChowderApi.json(created.body()).path("id").asText();
    }

    private static String message(String text) {
        return JSON.createObjectNode().put("model", "whatever-the-client-says").put("input", text).toString();
    }

    private static String reversed(String text) {
        return new StringBuilder(text).reverse().toString();
    }

    private static boolean contains(Path file, String secret) {
        try {
            return new String(Files.readAllBytes(file), java.nio.charset.StandardCharsets.ISO_8859_1).contains(secret);
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
