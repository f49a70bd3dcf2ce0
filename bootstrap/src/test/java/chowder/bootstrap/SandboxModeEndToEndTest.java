package chowder.bootstrap;

import static chowder.bootstrap.RunningChowder.JSON;
import static org.assertj.core.api.Assertions.assertThat;

import chowder.testing.FakeOpenClawGateway;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every instance says how its gateway is confined: bubblewrap by default, off when the operator says so (and then it gets no
 * skills), null when registered.
 */
class SandboxModeEndToEndTest {
    @TempDir
    Path dataDir;
    @TempDir
    Path noOpenClaw;

    @Test
    void provisionedInstancesShowTheirSandboxAndRegisteredOnesNone() throws Exception {
        assertThat(sandboxOfAProvisionedInstance(Map.of())).isEqualTo("bubblewrap");
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
    }

    /** What a test checks on a running Chowder, with an organization key and its provisioned instance. */
    private interface Check {
        void on(RunningChowder chowder, String key, String instanceId) throws Exception;
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
}
