package chowder.e2e;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * The skills API on a real OpenClaw gateway in its sandbox: skills installed from the operator's catalog reach the
 * agent's system prompt, a skill that needs a secret becomes ready once it is given (without a restart: the same gateway
 * process, started once), turning one off takes it out of what the agent is offered, and the secret is in no answer,
 * log or file on disk. Each test works on catalog skills of its own, so that none depends on what another installed.
 */
@Timeout(600)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SkillsEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration START_TIMEOUT = Duration.ofSeconds(240);
    /** OpenClaw applies a config change after its watcher settles; a loaded machine may take a while. */
    private static final Duration RELOAD_TIMEOUT = Duration.ofSeconds(60);
    private static final String MARKER = "chowder-skill-marker-" + UUID.randomUUID().toString().substring(0, 8);
    /** The marker of the skill the disabling test turns off: its own, so that other tests' skills do not show it. */
    private static final String NEWS_MARKER = "chowder-news-marker-" + UUID.randomUUID().toString().substring(0, 8);
    private static final String SECRET = "skill-secret-" + UUID.randomUUID();

    @AutoClose
    private static ScriptedModelServer model;
    @AutoClose
    private static ChowderProcess chowder;
    private static ChowderApi api;
    private static String acmeKey;
    private static String globexKey;
    private static String instance;
    private static Path catalog;

    @BeforeAll
    static void startAProvisionedInstanceWithACatalog() throws Exception {
        OpenClawRuntime.locate();
        model = ScriptedModelServer.start();
        catalog = Files.createTempDirectory("skills-catalog");
        skill("weather-report", "Reports the weather; " + MARKER, "");
        skill("ticket-desk", "Files support tickets with the desk's API", """
                metadata: { "openclaw": { "requires": { "env": ["TICKET_DESK_TOKEN"] }, "primaryEnv": "TICKET_DESK_TOKEN" } }
                """);
        skill("news-digest", "Summarises the news; " + NEWS_MARKER, "");
        skill("access-report", "Reports who has access", "");
        skill("old-report", "A report nobody reads any more", "");
        Files.writeString(Files.createDirectories(catalog.resolve("weather-report/scripts")).resolve("forecast.sh"), "#!/bin/sh\necho sunny\n");
        Files.setPosixFilePermissions(catalog.resolve("weather-report/scripts/forecast.sh"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Path providers = Files.createTempFile("model-providers", ".json");
        ObjectNode provider = JSON.createObjectNode().put("base_url", model.baseUrl().toString());
        provider.putArray("models").add("echo-1");
        Files.writeString(providers, JSON.createObjectNode().put("default_provider", "local")
                .set("providers", JSON.createObjectNode().set("local", provider)).toString(), UTF_8);
        chowder = ChowderProcess.start(Map.of(
                "CHOWDER_PROVISIONER", "local",
                "CHOWDER_OPENCLAW_INSTALL_DIR", OpenClawRuntime.installRoot().toString(),
                "CHOWDER_MODEL_PROVIDERS", providers.toString(),
                "CHOWDER_SKILLS_CATALOG", catalog.toString(),
                "CHOWDER_SKILLS_CLAWHUB", "on"));
        api = new ChowderApi(chowder.baseUrl());
        acmeKey = chowder.createOrganization("Acme").apiKey();
        globexKey = chowder.createOrganization("Globex").apiKey();
        HttpResponse<String> created = api.post("/v1/instances", acmeKey, JSON.createObjectNode().put("name", "skilled").toString());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        instance = ChowderApi.json(created.body()).path("id").asText();
        api.awaitRunning(acmeKey, instance, START_TIMEOUT);
    }

    @Test
    void aCatalogSkillIsInstalledOfflineAndTheAgentIsOfferedIt() {
        assertThat(systemPromptHasMarker("before-install", MARKER)).isFalse();

        HttpResponse<String> installed = api.post(skills() + "/install", acmeKey, "{\"slug\": \"weather-report\"}");

        assertThat(installed.statusCode()).as(installed.body()).isEqualTo(200);
        JsonNode answer = ChowderApi.json(installed.body());
        assertThat(answer.path("skill").asText()).isEqualTo("weather-report");
        assertThat(answer.path("status").asText()).isEqualTo("installed");
        assertThat(answer.path("output").asText()).contains("Copied 2 files");
        assertThat(answer.path("required_env").size()).isZero();
        JsonNode listed = find(ChowderApi.json(api.get(skills(), acmeKey).body()), "weather-report");
        assertThat(listed.path("source").asText()).isEqualTo("openclaw-workspace");
        assertThat(listed.path("ready").asBoolean()).isTrue();
        JsonNode shown = ChowderApi.json(api.get(skills() + "/weather-report", acmeKey).body());
        assertThat(shown.path("path").asText()).isEqualTo("/instance/workspace/skills/weather-report/SKILL.md");
        assertThat(shown.path("description").asText()).contains(MARKER);
        // Its files are the agent's own, as the catalog made them (the script stays executable).
        JsonNode scripts = ChowderApi.json(api.get("/v1/instances/" + instance + "/files?path=skills%2Fweather-report%2Fscripts", acmeKey).body());
        assertThat(scripts.at("/entries/0/permissions").asText()).isEqualTo("-rwxr-xr-x");
        assertThat(systemPromptHasMarker("after-install", MARKER)).isTrue();
    }

    @Test
    void aSkillThatNeedsASecretIsReadyOnceItIsGivenAndTheSecretIsNeverShown() throws Exception {
        HttpResponse<String> installed = api.post(skills() + "/install", acmeKey, "{\"slug\": \"ticket-desk\"}");
        JsonNode answer = ChowderApi.json(installed.body());
        assertThat(answer.path("status").asText()).as(installed.body()).isEqualTo("installed_missing_env");
        assertThat(answer.path("required_env").toString()).isEqualTo("[\"TICKET_DESK_TOKEN\"]");
        assertThat(answer.path("message").asText()).contains("TICKET_DESK_TOKEN", "PATCH");
        assertThat(ready("ticket-desk")).isFalse();
        GatewayRun before = GatewayRun.now();

        HttpResponse<String> patched = api.send("PATCH", skills() + "/ticket-desk", acmeKey,
                JSON.createObjectNode().set("env", JSON.createObjectNode().put("TICKET_DESK_TOKEN", SECRET)).toString());

        assertThat(patched.statusCode()).as(patched.body()).isEqualTo(204);
        awaitReady("ticket-desk", true);
        before.assertStillRunning();
        // Write-only: no answer, log line or file on disk holds it; the gateway's config (memory, not disk) is its own uid's.
        for (String path : List.of(skills(), skills() + "/ticket-desk", skills() + "?eligible_only=true")) {
            assertThat(api.get(path, acmeKey).body()).doesNotContain(SECRET);
        }
        assertThat(chowder.log()).doesNotContain(SECRET);
        try (Stream<Path> files = Files.walk(chowder.dataDirectory())) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                assertThat(Files.readString(file, java.nio.charset.StandardCharsets.ISO_8859_1)).as(file.toString()).doesNotContain(SECRET);
            }
        }
        SandboxedInstance sandboxed = sandboxed();
        // Chowder runs as this test's user: its default CHOWDER_RUNTIME_DIR is /dev/shm/chowder-<uid>.
        Path config = Path.of("/dev/shm", "chowder-" + Files.getAttribute(Path.of("/proc/self"), "unix:uid"), instance, "openclaw.json");
        assertThat(Files.readString(config, UTF_8)).contains(SECRET);
        assertThat(Files.getPosixFilePermissions(config)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(((Number) Files.getAttribute(config, "unix:uid")).longValue()).isEqualTo(sandboxed.uid());
        // A catalog skill from the ready-only listing.
        assertThat(names(ChowderApi.json(api.get(skills() + "?eligible_only=true", acmeKey).body()))).contains("ticket-desk");
    }

    @Test
    void aSkillTurnedOffIsNoLongerOfferedToTheAgent() throws Exception {
        install("news-digest");
        awaitReady("news-digest", true);
        // Offered while on: what the test then sees gone was there.
        assertThat(systemPromptHasMarker("before-disable", NEWS_MARKER)).isTrue();
        GatewayRun before = GatewayRun.now();
        HttpResponse<String> off = api.send("PATCH", skills() + "/news-digest", acmeKey, "{\"enabled\": false}");
        assertThat(off.statusCode()).as(off.body()).isEqualTo(204);
        awaitReady("news-digest", false);
        assertThat(names(ChowderApi.json(api.get(skills() + "?eligible_only=true", acmeKey).body()))).doesNotContain("news-digest");
        assertThat(systemPromptHasMarker("after-disable", NEWS_MARKER)).isFalse();

        assertThat(api.send("PATCH", skills() + "/news-digest", acmeKey, "{\"enabled\": true}").statusCode()).isEqualTo(204);
        awaitReady("news-digest", true);
        before.assertStillRunning();
    }

    @Test
    void onlyTheOrganizationsKeysWithConfigureManageSkills() {
        install("access-report");
        for (String path : List.of(skills(), skills() + "/access-report")) {
            HttpResponse<String> other = api.get(path, globexKey);
            assertThat(other.statusCode()).as(other.body()).isEqualTo(404);
        }
        assertThat(api.post(skills() + "/install", globexKey, "{\"slug\": \"access-report\"}").statusCode()).isEqualTo(404);
        HttpResponse<String> scoped = api.post("/v1/keys", acmeKey, JSON.createObjectNode().put("name", "chat only")
                .<ObjectNode>set("instance_ids", JSON.createArrayNode().add(instance))
                .set("permissions", JSON.createArrayNode().add("read").add("interact")).toString());
        assertThat(scoped.statusCode()).as(scoped.body()).isEqualTo(201);
        String chatOnly = ChowderApi.json(scoped.body()).path("raw_key").asText();
        for (HttpResponse<String> refused : List.of(api.get(skills(), chatOnly), api.post(skills() + "/install", chatOnly, "{\"slug\": \"x\"}"),
                api.send("PATCH", skills() + "/access-report", chatOnly, "{\"enabled\": false}"),
                api.send("DELETE", skills() + "/access-report", chatOnly))) {
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(403);
        }
        HttpResponse<String> configuring = api.post("/v1/keys", acmeKey, JSON.createObjectNode().put("name", "skills only")
                .<ObjectNode>set("instance_ids", JSON.createArrayNode().add(instance))
                .set("permissions", JSON.createArrayNode().add("configure")).toString());
        assertThat(configuring.statusCode()).as(configuring.body()).isEqualTo(201);
        HttpResponse<String> listed = api.get(skills(), ChowderApi.json(configuring.body()).path("raw_key").asText());
        assertThat(listed.statusCode()).as(listed.body()).isEqualTo(200);
        assertThat(names(ChowderApi.json(listed.body()))).contains("access-report");
    }

    /**
     * First, before any other test changes the gateway's config: OpenClaw reloads a changed config up to seconds later,
     * and a call that arrives during the reload may be left unanswered for good (seen once in CI: this install, sent
     * right after another test removed a skill, waited 95 s for an answer that never came). A read is asked again on a
     * fresh connection; an install, which may have been done, is not.
     */
    @Test
    @Order(1)
    void aSlugTheCatalogLacksGoesToClawHubWhichIsUnreachableHereAndSaysSo() {
        HttpResponse<String> missing = api.post(skills() + "/install", acmeKey, "{\"slug\": \"@someone/not-in-the-catalog\"}");

        assertThat(missing.statusCode()).as(missing.body()).isEqualTo(502);
        assertThat(ChowderApi.json(missing.body()).path("detail").asText()).contains("ClawHub", "clawhub.ai", "CHOWDER_SANDBOX_EGRESS_ALLOW");
        HttpResponse<String> invalid = api.post(skills() + "/install", acmeKey, "{\"slug\": \"../../etc\"}");
        assertThat(invalid.statusCode()).as(invalid.body()).isEqualTo(422);
    }

    @Test
    void anInstalledSkillIsRemovedAndABundledOneIsNot() {
        install("old-report");
        HttpResponse<String> removed = api.send("DELETE", skills() + "/old-report", acmeKey);
        assertThat(removed.statusCode()).as(removed.body()).isEqualTo(204);
        assertThat(api.get(skills() + "/old-report", acmeKey).statusCode()).isEqualTo(404);
        assertThat(api.get("/v1/instances/" + instance + "/files?path=skills%2Fold-report", acmeKey).statusCode()).isEqualTo(404);
        HttpResponse<String> bundled = api.send("DELETE", skills() + "/weather", acmeKey);
        assertThat(bundled.statusCode()).as(bundled.body()).isEqualTo(409);
        assertThat(ChowderApi.json(bundled.body()).path("detail").asText()).contains("enabled");
    }

    private static SandboxedInstance sandboxed() {
        return SandboxedInstance.of(chowder.dataDirectory(), instance);
    }

    /**
     * The instance's gateway as it runs now: the sandbox Chowder launched ({@code gateway.pid}), the gateway process in it
     * and how often it has started. A restart by Chowder's supervisor changes the first two, an in-process restart by
     * OpenClaw (same pid) the third.
     */
    private record GatewayRun(long sandboxPid, ProcessHandle gateway, long starts) {
        static GatewayRun now() {
            SandboxedInstance sandboxed = sandboxed();
            return new GatewayRun(sandboxed.sandbox().pid(), sandboxed.gateway(), sandboxed.starts());
        }

        void assertStillRunning() {
            GatewayRun after = now();
            assertThat(after.sandboxPid()).as("the sandbox Chowder launched (gateway.pid)").isEqualTo(sandboxPid);
            // ProcessHandle equality is the pid and the process's start time: a new process under a reused pid differs.
            assertThat(after.gateway()).as("the gateway process").isEqualTo(gateway);
            assertThat(gateway.isAlive()).isTrue();
            assertThat(after.starts()).as("gateway starts logged in gateway.log").isEqualTo(starts).isEqualTo(1);
        }
    }

    private static String skills() {
        return "/v1/instances/" + instance + "/skills";
    }

    private static void skill(String slug, String description, String frontmatter) throws Exception {
        Files.writeString(Files.createDirectories(catalog.resolve(slug)).resolve("SKILL.md"),
                "---\nname: " + slug + "\ndescription: " + description + "\n" + frontmatter + "---\nUse it when asked.\n", UTF_8);
    }

    /** Installs a catalog skill that needs no secret, as a test's own set-up. */
    private static void install(String slug) {
        HttpResponse<String> installed = api.post(skills() + "/install", acmeKey, "{\"slug\": \"" + slug + "\"}");
        assertThat(installed.statusCode()).as(installed.body()).isEqualTo(200);
    }

    /** Whether the system prompt of a new session's first turn names a catalog skill's marker. */
    private static boolean systemPromptHasMarker(String session, String marker) {
        HttpResponse<String> response = api.post(ChowderApi.sessionResponsesPath(instance, session), acmeKey,
                JSON.createObjectNode().put("model", "claude-sonnet-4-20250514").put("input", "hello echo-system:" + marker).toString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return ScriptedReply.parse(ChowderApi.json(response.body()).at("/output/0/content/0/text").asText()).systemContainsMarker().orElseThrow();
    }

    private static boolean ready(String name) {
        HttpResponse<String> shown = api.get(skills() + "/" + name, acmeKey);
        assertThat(shown.statusCode()).as(shown.body()).isEqualTo(200);
        return ChowderApi.json(shown.body()).path("ready").asBoolean();
    }

    private static void awaitReady(String name, boolean expected) throws InterruptedException {
        long deadline = System.nanoTime() + RELOAD_TIMEOUT.toNanos();
        while (ready(name) != expected) {
            assertThat(System.nanoTime() - deadline).as("waiting for %s to be ready=%s", name, expected).isNegative();
            Thread.sleep(250);
        }
    }

    private static JsonNode find(JsonNode list, String name) {
        for (JsonNode skill : list) {
            if (skill.path("name").asText().equals(name)) {
                return skill;
            }
        }
        throw new AssertionError(name + " is not listed: " + list);
    }

    private static List<String> names(JsonNode list) {
        return java.util.stream.StreamSupport.stream(list.spliterator(), false).map(skill -> skill.path("name").asText()).toList();
    }
}
