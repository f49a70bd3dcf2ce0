package chowder.bootstrap;

import static chowder.bootstrap.RunningChowder.JSON;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import chowder.testing.FakeOpenClawGateway;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every instance says how its gateway is confined: bubblewrap by default, off when the operator says so (warned at
 * start, and then it gets no skills), null when registered; and where the sandbox cannot be built, provisioned instances
 * are refused with the reason instead of running unconfined.
 */
class SandboxModeEndToEndTest {
    private static final String UNCONFINED_WARNING = "CHOWDER_SANDBOX=off: provisioned gateways run unconfined";
    private static final String MISSING_BUBBLEWRAP = "bwrap (Debian package bubblewrap)";

    @TempDir
    Path dataDir;
    @TempDir
    Path noOpenClaw;
    @org.junit.jupiter.api.extension.RegisterExtension
    final CapturedLogs captured = new CapturedLogs();



    @Test
    void provisionedInstancesShowTheirSandboxAndRegisteredOnesNone() throws Exception {
        assertThat(sandboxOfAProvisionedInstance(Map.of())).isEqualTo("bubblewrap");
        assertThat(logged(Level.INFO)).anyMatch(message -> message.startsWith("Sandbox: bubblewrap for every provisioned gateway"));
        assertThat(logged(Level.WARN)).noneMatch(message -> message.contains(UNCONFINED_WARNING));
    }

    @Test
    void anOperatorMayTurnTheSandboxOffAndEveryInstanceSaysSoAndGetsNoSkills() throws Exception {
        assertThat(sandboxOfAProvisionedInstance(Map.of("CHOWDER_SANDBOX", "off", "CHOWDER_SKILLS_CLAWHUB", "on"), (chowder, key, id) -> {
            // A skill is code the agent runs: never installed where it would run unconfined, from the catalog or ClawHub.
            for (String slug : new String[] {"weather-report", "@someone/weather-report"}) {
                HttpResponse<String> refused = chowder.send("POST", "/v1/instances/" + id + "/skills/install", key,
                        JSON.createObjectNode().put("slug", slug).toString());
                assertThat(refused.statusCode()).as(refused.body()).isEqualTo(409);
                assertThat(JSON.readTree(refused.body()).path("detail").asText()).contains("CHOWDER_SANDBOX=off");
            }
        })).isEqualTo("off");
        assertThat(logged(Level.WARN)).anyMatch(message -> message.startsWith(UNCONFINED_WARNING));
    }

    /** What a test checks on a running Chowder, with an organization key and its provisioned instance. */
    private interface Check {
        void on(RunningChowder chowder, String key, String instanceId) throws Exception;
    }

    /**
     * Chowder runs in a mount namespace of its own where every {@code bwrap} it would find is an empty file that cannot
     * be run, as on a host where bubblewrap is not installed.
     */
    @Test
    void withoutBubblewrapTheStartLogsAnErrorNamingItAndProvisionedInstancesAre503s(@TempDir Path base) throws Exception {
        Set<Path> installed = new LinkedHashSet<>();
        for (String directory : (System.getenv("PATH") + ":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
            Path bwrap = Path.of(directory.isEmpty() ? "." : directory, "bwrap");
            if (Files.isExecutable(bwrap)) {
                installed.add(bwrap.toRealPath());
            }
        }
        assertThat(installed).as("bubblewrap, installed on this host, to hide").isNotEmpty();
        Path notAProgram = Files.createFile(base.resolve("not-bwrap"));
        StringBuilder hide = new StringBuilder();
        installed.forEach(bwrap -> hide.append("mount --bind \"$0\" '").append(bwrap).append("' && "));
        List<String> wrapper = List.of("unshare", "--mount", "--propagation", "private", "--", "/bin/sh", "-c", hide + "exec \"$@\"",
                notAProgram.toString());

        // A provider the organization may use (the operator's, needing no key), so that only the sandbox is missing.
        Path providers = Files.writeString(base.resolve("models.json"),
                "{\"providers\": {\"local\": {\"base_url\": \"http://127.0.0.1:9/v1\", \"models\": [\"m\"]}}}");
        try (ServerProcess server = ServerProcess.start(wrapper, dataDir, base.resolve("server.log"), List.of(),
                Map.of("CHOWDER_PROVISIONER", "local", "CHOWDER_OPENCLAW_HOME", noOpenClaw.toString(),
                        "CHOWDER_MODEL_PROVIDERS", providers.toString()))) {
            String error = awaitLogLine(server, "Provisioned instances cannot start");
            assertThat(error).contains(" ERROR ", MISSING_BUBBLEWRAP, "CHOWDER_SANDBOX=off").doesNotContain("pasta (");

            String key = createOrganization();
            HttpResponse<String> refused = server.send("POST", "/v1/instances", key, "{\"name\":\"provisioned\"}");
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
            assertThat(JSON.readTree(refused.body()).path("detail").asText()).contains(MISSING_BUBBLEWRAP);
            HttpResponse<String> listed = server.send("GET", "/v1/instances", key);
            assertThat(listed.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(listed.body())).as("instances after the refusal").isEmpty();
        }
        assertThat(installed).allSatisfy(bwrap -> assertThat(bwrap).isExecutable());
    }

    private String sandboxOfAProvisionedInstance(Map<String, String> settings) throws Exception {
        return sandboxOfAProvisionedInstance(settings, (chowder, key, id) -> {});
    }

    private String sandboxOfAProvisionedInstance(Map<String, String> settings, Check check) throws Exception {
        Map<String, String> env = new java.util.HashMap<>(Map.of("CHOWDER_PROVISIONER", "local", "CHOWDER_OPENCLAW_HOME", noOpenClaw.toString(),
                "CHOWDER_GATEWAY_RESTART_BACKOFF_MAX", "60s"));
        env.putAll(settings);
        try (RunningChowder chowder = new RunningChowder(dataDir, env); FakeOpenClawGateway gateway = FakeOpenClawGateway.start("gateway-token-123")) {
            String key = chowder.createOrganization("Acme").path("api_key").asText();
            HttpResponse<String> created = chowder.send("POST", "/v1/instances", key, "{\"name\":\"provisioned\"}");
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            JsonNode instance = JSON.readTree(created.body());
            String id = instance.path("id").asText();
            assertThat(JSON.readTree(chowder.send("GET", "/v1/instances/" + id, key, null).body()).path("sandbox").asText())
                    .isEqualTo(instance.path("sandbox").asText());

            String registered = chowder.registerInstance(key, gateway.baseUrl(), "gateway-token-123");
            JsonNode shown = JSON.readTree(chowder.send("GET", "/v1/instances/" + registered, key, null).body());
            assertThat(shown.has("sandbox")).isTrue();
            assertThat(shown.path("sandbox").isNull()).isTrue();
            check.on(chowder, key, id);
            return instance.path("sandbox").asText();
        }
    }

    private List<String> logged(Level level) {
        List<String> messages = new ArrayList<>();
        for (ILoggingEvent event : List.copyOf(captured.events())) {
            if (event.getLevel() == level) {
                messages.add(event.getFormattedMessage());
            }
        }
        return messages;
    }

    /** {@code chowder org create} beside the running server, as an operator runs it. */
    private String createOrganization() throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(new String[] {"org", "create", "--name", "Acme"}, Map.of("CHOWDER_DATA_DIR", dataDir.toString()),
                new PrintWriter(out), new PrintWriter(err));
        assertThat(exit).as(err.toString()).isZero();
        return JSON.readTree(out.toString()).path("api_key").asText();
    }

    private static String awaitLogLine(ServerProcess server, String text) throws Exception {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(60).toNanos();
        while (true) {
            var line = server.log().lines().filter(candidate -> candidate.contains(text)).findFirst();
            if (line.isPresent()) {
                return line.get();
            }
            assertThat(System.nanoTime() - deadline).as("waiting for %s in the log:\n%s", text, server.log()).isNegative();
            Thread.sleep(100);
        }
    }
}
