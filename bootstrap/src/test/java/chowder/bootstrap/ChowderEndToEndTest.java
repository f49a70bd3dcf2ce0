package chowder.bootstrap;

import static chowder.bootstrap.RunningChowder.JSON;
import static org.assertj.core.api.Assertions.assertThat;

import chowder.testing.FakeOpenClawGateway;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The walking skeleton end to end: the real injector, H2 on disk, the real gateway client, and a stub
 * gateway on loopback that normalises session keys like OpenClaw, so naive forwarding would fail here.
 */
class ChowderEndToEndTest {
    private static final String GATEWAY_TOKEN = "gw-token-that-must-never-leak";
    private static final String SEED_FIRST = "{\"model\": \"claude-sonnet-4-20250514\", \"input\": \"Hey, remember me?\"}";

    @TempDir
    Path dataDir;
    private final FakeOpenClawGateway gateway = FakeOpenClawGateway.start(GATEWAY_TOKEN);
    private RunningChowder chowder;
    private String key;
    private String instanceId;

    @BeforeEach
    void start() throws Exception {
        chowder = new RunningChowder(dataDir, Map.of());
        key = chowder.createOrganization("Acme").path("api_key").asText();
        instanceId = chowder.registerInstance(key, gateway.baseUrl(), GATEWAY_TOKEN);
    }

    @AfterEach
    void stop() {
        chowder.close();
        gateway.close();
    }

    @Test
    void theSeedRequestsAreAnsweredByTheGatewayAndTheDefaultSessionRemembers() throws Exception {
        HttpResponse<String> first = chowder.send("POST", "/v1/instances/" + instanceId + "/responses", key, SEED_FIRST);
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(first.body()).path("object").asText()).isEqualTo("response");
        assertThat(FakeOpenClawGateway.outputText(first.body())).isEqualTo("turns=1 first=Hey, remember me? instructions=-");

        HttpResponse<String> second = chowder.send("POST", "/v1/instances/" + instanceId + "/session/main/responses", key,
                "{\"model\": \"claude-sonnet-4-20250514\", \"input\": \"Do you?\"}");
        assertThat(FakeOpenClawGateway.outputText(second.body())).isEqualTo("turns=2 first=Hey, remember me? instructions=-");
        assertThat(gateway.received()).allSatisfy(request -> {
            assertThat(request.body().path("model").asText()).isEqualTo("openclaw");
            assertThat(request.normalisedSession()).isEqualTo("agent:main:chowder-0-main");
        });
    }

    @Test
    void adversarialSessionIdsEachKeepTheirOwnHistory() throws Exception {
        List<String> ids = List.of("user-42", "User-42", " user-42", "user-42 ", "agent:main:user-42", "global", "GLOBAL",
                "subagent:x", "cron:x", "acp:x", "main", "MAIN", "a/b", "a%2Fb", "%", "~", "..", "x".repeat(256),
                "😀".repeat(256), Normalizer.normalize("café", Normalizer.Form.NFC), Normalizer.normalize("café", Normalizer.Form.NFD));
        for (int round = 1; round <= 2; round++) {
            for (String id : ids) {
                HttpResponse<String> response = chowder.send("POST", sessionPath(id), key,
                        JSON.createObjectNode().put("input", "first message of " + id).toString());
                assertThat(response.statusCode()).as("session %s: %s", id, response.body()).isEqualTo(200);
                assertThat(FakeOpenClawGateway.outputText(response.body()))
                        .as("session [%s] in round %d", id, round)
                        .isEqualTo("turns=" + round + " first=first message of " + id + " instructions=-");
            }
        }
        List<String> sessions = new ArrayList<>(gateway.received().stream().map(FakeOpenClawGateway.ReceivedRequest::normalisedSession).distinct().toList());
        assertThat(sessions).hasSize(ids.size());
    }

    @Test
    void instructionsAndOtherFieldsReachTheGateway() throws Exception {
        HttpResponse<String> response = chowder.send("POST", sessionPath("persona"), key,
                "{\"model\":\"anthropic/claude-sonnet-4-5\",\"input\":[{\"type\":\"message\",\"role\":\"user\",\"content\":\"Ahoy\"}],"
                        + "\"instructions\":\"You are a pirate.\",\"temperature\":0.3}");
        assertThat(FakeOpenClawGateway.outputText(response.body())).isEqualTo("turns=1 first=Ahoy instructions=You are a pirate.");
        FakeOpenClawGateway.ReceivedRequest received = gateway.lastRequest();
        assertThat(received.header("x-openclaw-model")).contains("anthropic/claude-sonnet-4-5");
        assertThat(received.body().path("temperature").asDouble()).isEqualTo(0.3);
    }

    @Test
    void anotherOrganizationsKeyGets404AndNothingReachesTheGateway() throws Exception {
        String otherKey = chowder.createOrganization("Globex").path("api_key").asText();
        HttpResponse<String> response = chowder.send("POST", "/v1/instances/" + instanceId + "/responses", otherKey, SEED_FIRST);
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(response.body()).path("detail").asText()).isEqualTo("Instance not found.");
        assertThat(chowder.send("GET", "/v1/instances/" + instanceId, otherKey, null).statusCode()).isEqualTo(404);
        assertThat(gateway.received()).isEmpty();
    }

    @Test
    void aStoppedGatewayIs502InTheHostedFormatWithoutTheToken() throws Exception {
        gateway.close();
        HttpResponse<String> response = chowder.send("POST", "/v1/instances/" + instanceId + "/responses", key, SEED_FIRST);
        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(JSON.readTree(response.body()).path("detail").path("error").asText()).startsWith("Gateway unavailable – ");
        assertThat(response.body()).doesNotContain(GATEWAY_TOKEN);
    }

    @Test
    void aWrongGatewayTokenIs502LikeAnUnreachableGatewayAndNeverShowsTheToken() throws Exception {
        String wrongToken = "wrong-token-also-secret";
        String other = chowder.registerInstance(key, gateway.baseUrl(), wrongToken);
        HttpResponse<String> response = chowder.send("POST", "/v1/instances/" + other + "/responses", key, SEED_FIRST);
        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(JSON.readTree(response.body()).path("detail").path("error").asText())
                .isEqualTo("Gateway unavailable – the gateway could not be reached or did not accept Chowder's credentials.");
        assertThat(response.body()).doesNotContain(wrongToken).doesNotContain(GATEWAY_TOKEN);
    }

    @Test
    void healthAndReadinessAnswerWithoutAKey() throws Exception {
        assertThat(chowder.send("GET", "/healthz", null, null).body()).isEqualTo("{\"status\":\"live\"}");
        HttpResponse<String> ready = chowder.send("GET", "/readyz", null, null);
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).isEqualTo("{\"status\":\"ready\"}");
    }

    @Test
    void secretsAreStoredOnlyEncryptedOrHashed() throws Exception {
        chowder.close();
        try (Stream<Path> files = Files.walk(dataDir)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String content = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
                assertThat(content).as(file.toString()).doesNotContain(GATEWAY_TOKEN).doesNotContain(key.substring(8));
            }
        }
    }

    private String sessionPath(String sessionId) {
        String encoded = URLEncoder.encode(sessionId, StandardCharsets.UTF_8).replace("+", "%20");
        return "/v1/instances/" + instanceId + "/session/" + encoded + "/responses";
    }
}
