package chowder.bootstrap;

import static chowder.bootstrap.RunningChowder.JSON;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chowder.testing.FakeOpenClawGateway;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two Chowder nodes on one real PostgreSQL (a schema of its own), each with its own caches: whatever is
 * changed through one node is what the other answers on its very next request.
 */
class TwoNodesOnPostgresTest {
    private static final String SERVER = System.getenv().getOrDefault("CHOWDER_TEST_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:5432/test");
    private final String schema = "chowder_nodes_" + UUID.randomUUID().toString().replace("-", "");

    @TempDir
    Path dataDirA;

    @TempDir
    Path dataDirB;

    @AfterEach
    void dropSchema() {
        execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }

    /** The settings of two nodes on one database: this test's schema, and the same master key. */
    private Map<String, String> sharedSchema() {
        execute("CREATE SCHEMA " + schema);
        return Map.of(
                "CHOWDER_DATABASE_URL", SERVER + "?currentSchema=" + schema,
                "CHOWDER_DATABASE_USER", "postgres",
                "CHOWDER_MASTER_KEY", Base64.getEncoder().encodeToString(new byte[32]));
    }

    @Test
    void revocationsStopsResetsAndSessionsAreSharedByEveryNode() throws Exception {
        Map<String, String> shared = sharedSchema();
        try (FakeOpenClawGateway gateway = FakeOpenClawGateway.start("t");
                RunningChowder nodeA = new RunningChowder(dataDirA, shared);
                RunningChowder nodeB = new RunningChowder(dataDirB, shared)) {
            String orgKey = nodeA.createOrganization("Acme").path("api_key").asText();
            String instance = nodeA.registerInstance(orgKey, gateway.baseUrl(), "t");
            String responses = "/v1/instances/" + instance + "/session/user-42/responses";

            // A session continues whichever node takes each turn.
            for (int turn = 1; turn <= 4; turn++) {
                RunningChowder node = turn % 2 == 1 ? nodeA : nodeB;
                HttpResponse<String> answer = node.send("POST", responses, orgKey, "{\"input\":\"turn " + turn + "\"}");
                assertThat(answer.statusCode()).isEqualTo(200);
                assertThat(FakeOpenClawGateway.outputText(answer.body())).startsWith("turns=" + turn + " first=turn 1");
            }

            // A reset on A: B's next request (B had the session's generation cached) starts empty.
            assertThat(nodeA.send("POST", "/v1/instances/" + instance + "/session/user-42/reset", orgKey, null).statusCode()).isEqualTo(200);
            HttpResponse<String> afterReset = nodeB.send("POST", responses, orgKey, "{\"input\":\"fresh\"}");
            assertThat(FakeOpenClawGateway.outputText(afterReset.body())).isEqualTo("turns=1 first=fresh instructions=-");

            // A key revoked on A is refused by B, which had just served it.
            HttpResponse<String> created = nodeA.send("POST", "/v1/keys", orgKey,
                    "{\"name\":\"ci\",\"instance_ids\":[\"" + instance + "\"],\"permissions\":[\"read\"]}");
            assertThat(created.statusCode()).isEqualTo(201);
            JsonNode ciKey = JSON.readTree(created.body());
            String ci = ciKey.path("raw_key").asText();
            assertThat(nodeB.send("GET", "/v1/instances/" + instance, ci, null).statusCode()).isEqualTo(200);
            assertThat(nodeA.send("DELETE", "/v1/keys/" + ciKey.path("id").asText(), orgKey, null).statusCode()).isIn(200, 204);
            HttpResponse<String> refused = nodeB.send("GET", "/v1/instances/" + instance, ci, null);
            assertThat(refused.statusCode()).isEqualTo(401);
            assertThat(JSON.readTree(refused.body()).path("detail").asText()).isNotBlank();

            // An instance stopped on A answers 409 on B, which had just forwarded to it; started again, B forwards.
            assertThat(nodeA.send("POST", "/v1/instances/" + instance + "/stop", orgKey, null).statusCode()).isEqualTo(200);
            HttpResponse<String> stopped = nodeB.send("POST", responses, orgKey, "{\"input\":\"anyone?\"}");
            assertThat(stopped.statusCode()).isEqualTo(409);
            assertThat(nodeA.send("POST", "/v1/instances/" + instance + "/start", orgKey, null).statusCode()).isEqualTo(200);
            assertThat(nodeB.send("POST", responses, orgKey, "{\"input\":\"back\"}").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void anOrganizationSuspendedOnOneNodeIsRefusedByTheOtherOnItsNextRequestAndResumedAlike() throws Exception {
        String token = "admin-token-of-two-nodes-0123456789abcdef";
        Map<String, String> shared = new java.util.HashMap<>(sharedSchema());
        shared.put("CHOWDER_ADMIN_TOKEN", token);
        try (FakeOpenClawGateway gateway = FakeOpenClawGateway.start("t");
                RunningChowder nodeA = new RunningChowder(dataDirA, shared);
                RunningChowder nodeB = new RunningChowder(dataDirB, shared)) {
            JsonNode created = JSON.readTree(nodeA.send("POST", "/v1/admin/organizations", token, "{\"name\": \"Acme\"}").body());
            String orgKey = created.path("api_key").asText();
            String organization = "/v1/admin/organizations/" + created.path("organization").path("id").asText();
            String instance = nodeA.registerInstance(orgKey, gateway.baseUrl(), "t");
            String responses = "/v1/instances/" + instance + "/responses";
            // B serves the organization first: its key and organization are in B's caches.
            assertThat(nodeB.send("POST", responses, orgKey, "{\"input\":\"hi\"}").statusCode()).isEqualTo(200);

            assertThat(nodeA.send("PATCH", organization, token, "{\"suspended\": true}").statusCode()).isEqualTo(200);
            HttpResponse<String> refused = nodeB.send("POST", responses, orgKey, "{\"input\":\"still there?\"}");
            assertThat(refused.statusCode()).isEqualTo(403);
            assertThat(JSON.readTree(refused.body()).path("detail").asText()).isEqualTo("This organization is suspended by its operator.");
            assertThat(nodeB.send("GET", "/v1/instances/" + instance, orgKey, null).statusCode()).isEqualTo(403);
            assertThat(JSON.readTree(nodeB.send("GET", organization, token, null).body()).path("suspended").asBoolean()).isTrue();

            assertThat(nodeB.send("PATCH", organization, token, "{\"suspended\": false}").statusCode()).isEqualTo(200);
            assertThat(nodeA.send("POST", responses, orgKey, "{\"input\":\"back\"}").statusCode()).isEqualTo(200);
            assertThat(gateway.received()).hasSize(2);
        }
    }

    @Test
    void aBudgetOrARateSpentThroughOneNodeIsSpentOnTheOther() throws Exception {
        Map<String, String> shared = sharedSchema();
        try (FakeOpenClawGateway gateway = FakeOpenClawGateway.start("t");
                RunningChowder nodeA = new RunningChowder(dataDirA, shared);
                RunningChowder nodeB = new RunningChowder(dataDirB, shared)) {
            JsonNode org = nodeA.createOrganization("Acme");
            String orgKey = org.path("api_key").asText();
            String instance = nodeA.registerInstance(orgKey, gateway.baseUrl(), "t");
            String responses = "/v1/instances/" + instance + "/responses";

            // Each session may spend 30 tokens a day; every turn of this gateway reports 15.
            assertThat(nodeA.send("PUT", "/v1/instances/" + instance + "/session-limits", orgKey,
                    "{\"rules\": [{\"session_prefix\": \"\", \"tokens_per_day\": 30}]}").statusCode()).isEqualTo(200);
            assertThat(nodeA.send("POST", responses, orgKey, "{\"input\":\"one\"}").statusCode()).isEqualTo(200);
            assertThat(nodeB.send("POST", responses, orgKey, "{\"input\":\"two\"}").statusCode()).isEqualTo(200);
            HttpResponse<String> spent = nodeA.send("POST", responses, orgKey, "{\"input\":\"three\"}");
            assertThat(spent.statusCode()).isEqualTo(429);
            assertThat(JSON.readTree(spent.body()).path("detail").asText()).startsWith("Budget exceeded: the session limit's tokens_per_day (30 tokens)");
            assertThat(nodeB.send("POST", responses, orgKey, "{\"input\":\"four\"}").statusCode()).isEqualTo(429);
            assertThat(nodeB.send("POST", "/v1/instances/" + instance + "/session/other/responses", orgKey, "{\"input\":\"x\"}").statusCode())
                    .isEqualTo(200);

            // The operator's rate for the organization, set on A's database, counts requests on both nodes.
            nodeA.component(chowder.application.port.in.ManageLimitsUseCase.class).setPlan(chowder.domain.Caller.allOrganizations(),
                    new chowder.domain.OrganizationId(java.util.UUID.fromString(org.path("organization").path("id").asText())),
                    new chowder.domain.OrganizationPlan("team", java.util.OptionalInt.empty(), new chowder.domain.UsageLimits(
                            java.util.OptionalLong.empty(), java.util.OptionalLong.empty(), java.util.OptionalLong.of(2)), java.util.Optional.empty()));
            String other = "/v1/instances/" + instance + "/session/rate/responses";
            assertThat(nodeB.send("POST", other, orgKey, "{\"input\":\"a\"}").statusCode()).isEqualTo(200);
            assertThat(nodeA.send("POST", other, orgKey, "{\"input\":\"b\"}").statusCode()).isEqualTo(200);
            HttpResponse<String> limited = nodeB.send("POST", other, orgKey, "{\"input\":\"c\"}");
            assertThat(limited.statusCode()).isEqualTo(429);
            assertThat(limited.headers().firstValue("Retry-After")).isPresent();
        }
    }

    @Test
    void aNodeWithAnotherMasterKeyRefusesToStartAndARotationUnderARunningNodeMakesItNotReady() throws Exception {
        execute("CREATE SCHEMA " + schema);
        String keyA = randomKey();
        String otherKey = randomKey();
        try (FakeOpenClawGateway gateway = FakeOpenClawGateway.start("t"); RunningChowder nodeA = new RunningChowder(dataDirA, node(keyA))) {
            String orgKey = nodeA.createOrganization("Acme").path("api_key").asText();
            String instance = nodeA.registerInstance(orgKey, gateway.baseUrl(), "t");
            String responses = "/v1/instances/" + instance + "/session/user-42/responses";

            // Before, B started and answered 500 "Internal server error" on every forwarded call.
            assertThatThrownBy(() -> new RunningChowder(dataDirB, node(otherKey)))
                    .isInstanceOf(InvalidConfigurationException.class)
                    .hasMessageContaining("the master key in CHOWDER_MASTER_KEY is not the one this database's gateway tokens are encrypted with")
                    .message().doesNotContain(keyA, otherKey);
            StringWriter err = new StringWriter();
            assertThat(Main.run(new String[] {"serve"}, withDataDir(node(otherKey), dataDirB), new PrintWriter(new StringWriter()),
                    new PrintWriter(err))).isEqualTo(2);
            assertThat(err.toString()).startsWith("chowder: configuration error: the master key in CHOWDER_MASTER_KEY is not the one");

            // Another process rotates the key while A runs: A says why it is not ready.
            assertThat(nodeA.send("GET", "/readyz", null, null).statusCode()).isEqualTo(200);
            StringWriter out = new StringWriter();
            assertThat(Main.run(new String[] {"master-key", "rotate"}, withDataDir(node(keyA), dataDirB), new PrintWriter(out),
                    new PrintWriter(new StringWriter()))).isZero();
            String rotatedKey = JSON.readTree(out.toString()).path("master_key").asText();
            HttpResponse<String> notReady = nodeA.send("GET", "/readyz", null, null);
            assertThat(notReady.statusCode()).isEqualTo(503);
            assertThat(JSON.readTree(notReady.body()).path("detail").asText())
                    .contains("master key changed (another process rotated it)").doesNotContain(rotatedKey, keyA);

            try (RunningChowder nodeB = new RunningChowder(dataDirB, node(rotatedKey))) {
                assertThat(nodeB.send("GET", "/readyz", null, null).statusCode()).isEqualTo(200);
                assertThat(nodeB.send("POST", responses, orgKey, "{\"input\":\"hi\"}").statusCode()).isEqualTo(200);
                // A gateway token A never held decrypted: A, with the old key, says it is not ready (before: a 500).
                String added = nodeB.registerInstance(orgKey, gateway.baseUrl(), "t");
                HttpResponse<String> refused = nodeA.send("POST", "/v1/instances/" + added + "/responses", orgKey, "{\"input\":\"hi\"}");
                assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
                assertThat(JSON.readTree(refused.body()).path("detail").asText()).startsWith("Not ready: cannot decrypt")
                        .contains("CHOWDER_MASTER_KEY").doesNotContain(rotatedKey, keyA, "\"t\"");
            }
        }
    }

    private Map<String, String> node(String masterKey) {
        return Map.of("CHOWDER_DATABASE_URL", SERVER + "?currentSchema=" + schema, "CHOWDER_DATABASE_USER", "postgres",
                "CHOWDER_MASTER_KEY", masterKey, "CHOWDER_HTTP_HOST", "127.0.0.1", "CHOWDER_HTTP_PORT", "0");
    }

    private static Map<String, String> withDataDir(Map<String, String> env, Path dataDir) {
        Map<String, String> withDataDir = new java.util.HashMap<>(env);
        withDataDir.put("CHOWDER_DATA_DIR", dataDir.toString());
        return withDataDir;
    }

    private static String randomKey() {
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }

    private static void execute(String sql) {
        try (Connection connection = DriverManager.getConnection(SERVER, "postgres", "")) {
            connection.createStatement().execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL at " + SERVER + " is needed for this test: " + e.getMessage(), e);
        }
    }
}
