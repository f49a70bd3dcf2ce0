package chowder.bootstrap;

import static chowder.bootstrap.RunningChowder.JSON;
import static org.assertj.core.api.Assertions.assertThat;

import chowder.testing.FakeOpenClawGateway;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Health probing and the lifecycle through the whole application, against gateways that come up and go down. */
class InstanceLifecycleEndToEndTest {
    @TempDir
    Path dataDir;
    private final FakeOpenClawGateway gateway = FakeOpenClawGateway.start("token-a");
    private RunningChowder chowder;
    private String key;

    @BeforeEach
    void start() throws Exception {
        // Probes often, but give each one time: a probe of a live gateway that times out on a busy machine would flip it to error.
        chowder = new RunningChowder(dataDir, Map.of("CHOWDER_HEALTH_PROBE_INTERVAL", "100ms", "CHOWDER_HEALTH_PROBE_TIMEOUT", "5s",
                "CHOWDER_MAX_INSTANCES_PER_ORG", "2"));
        key = chowder.createOrganization("Acme").path("api_key").asText();
    }

    @AfterEach
    void stop() {
        chowder.close();
        gateway.close();
    }

    @Test
    void probingFollowsTheGatewayAsItComesAndGoes() throws Exception {
        gateway.setReady(false);
        String id = chowder.registerInstance(key, gateway.baseUrl(), "token-a");
        awaitStatus(id, "error");
        assertThat(instance(id).path("error_message").asText()).isEqualTo("Gateway not ready: /readyz answered 503.");
        gateway.setReady(true);
        awaitStatus(id, "running");
        assertThat(instance(id).path("error_message").isNull()).isTrue();
        gateway.close();
        awaitStatus(id, "error");
        assertThat(instance(id).path("error_message").asText()).startsWith("Gateway unreachable at /readyz");
    }

    @Test
    void stopStartAndNewAddressesTakeEffectOnTheNextRequest() throws Exception {
        String id = chowder.registerInstance(key, gateway.baseUrl(), "token-a");
        awaitStatus(id, "running");
        String responses = "/v1/instances/" + id + "/responses";
        assertThat(chowder.send("POST", responses, key, "{\"input\":\"one\"}").statusCode()).isEqualTo(200);

        assertThat(chowder.send("POST", "/v1/instances/" + id + "/stop", key, null).statusCode()).isEqualTo(200);
        Thread.sleep(300);
        assertThat(status(id)).as("probing never restarts a stopped instance").isEqualTo("stopped");
        HttpResponse<String> refused = chowder.send("POST", responses, key, "{\"input\":\"two\"}");
        assertThat(refused.statusCode()).isEqualTo(409);
        assertThat(JSON.readTree(refused.body()).path("detail").asText()).isEqualTo("Instance is not running.");
        assertThat(chowder.send("POST", "/v1/instances/" + id + "/start", key, null).statusCode()).isEqualTo(200);
        awaitStatus(id, "running");

        try (FakeOpenClawGateway other = FakeOpenClawGateway.start("token-b")) {
            HttpResponse<String> patched = chowder.send("PATCH", "/v1/instances/" + id, key,
                    JSON.createObjectNode().put("gateway_url", other.baseUrl().toString()).put("gateway_token", "token-b").toString());
            assertThat(patched.statusCode()).isEqualTo(200);
            HttpResponse<String> answer = chowder.send("POST", responses, key, "{\"input\":\"three\"}");
            assertThat(FakeOpenClawGateway.outputText(answer.body())).isEqualTo("turns=1 first=three instructions=-");
            assertThat(other.received()).hasSize(1);
        }
        assertThat(gateway.received()).hasSize(1);

        assertThat(chowder.send("DELETE", "/v1/instances/" + id, key, null).statusCode()).isEqualTo(204);
        assertThat(chowder.send("POST", responses, key, "{\"input\":\"four\"}").statusCode()).isEqualTo(404);
    }

    @Test
    void theOrganizationLimitIs402() throws Exception {
        chowder.registerInstance(key, gateway.baseUrl(), "token-a");
        chowder.registerInstance(key, gateway.baseUrl(), "token-a");
        HttpResponse<String> third = chowder.send("POST", "/v1/instances", key, JSON.createObjectNode()
                .put("name", "third").put("gateway_url", gateway.baseUrl().toString()).put("gateway_token", "t").toString());
        assertThat(third.statusCode()).isEqualTo(402);
    }

    @Test
    void metadataAddressesAreRefused() throws Exception {
        HttpResponse<String> response = chowder.send("POST", "/v1/instances", key, JSON.createObjectNode()
                .put("name", "sneaky").put("gateway_url", "http://169.254.169.254/latest/meta-data").put("gateway_token", "t").toString());
        assertThat(response.statusCode()).isEqualTo(422);
        assertThat(JSON.readTree(response.body()).path("detail").asText()).contains("link-local or metadata address");
    }

    private void awaitStatus(String id, String expected) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!status(id).equals(expected) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(status(id)).isEqualTo(expected);
    }

    private String status(String id) throws Exception {
        return JSON.readTree(chowder.send("GET", "/v1/instances/" + id + "/status", key, null).body()).path("status").asText();
    }

    private JsonNode instance(String id) throws Exception {
        return JSON.readTree(chowder.send("GET", "/v1/instances/" + id, key, null).body());
    }
}
