package chowder.bootstrap;

import static chowder.bootstrap.RunningChowder.JSON;
import static org.assertj.core.api.Assertions.assertThat;

import chowder.testing.FakeOpenClawGateway;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The organization and keys API through the real server: fields, session-bound keys, signup, bad input. */
class KeysApiEndToEndTest {
    @TempDir
    Path dataDir;

    @Test
    void keysShowTheHostedFieldsTheRawKeyOnlyOnceAndTheirGrants() throws Exception {
        try (FakeOpenClawGateway gateway = FakeOpenClawGateway.start("t"); RunningChowder chowder = new RunningChowder(dataDir, Map.of())) {
            String org = chowder.createOrganization("Acme").path("api_key").asText();
            String instance = chowder.registerInstance(org, gateway.baseUrl(), "t");
            HttpResponse<String> created = chowder.send("POST", "/v1/keys", org, "{\"name\":\"support app\",\"instance_ids\":[\"" + instance
                    + "\"],\"permissions\":[\"read\",\"interact\"],\"expires_at\":\"2030-01-01T00:00:00Z\"}");
            assertThat(created.statusCode()).isEqualTo(201);
            JsonNode key = JSON.readTree(created.body());
            String raw = key.path("raw_key").asText();
            assertThat(raw).startsWith("chd_sk_").startsWith(key.path("key_prefix").asText());
            assertThat(key.path("expires_at").asText()).isEqualTo("2030-01-01T00:00:00Z");
            assertThat(key.path("is_active").asBoolean()).isTrue();

            JsonNode shown = JSON.readTree(chowder.send("GET", "/v1/keys/" + key.path("id").asText(), org, null).body());
            assertThat(shown.has("raw_key")).isFalse();
            assertThat(shown.path("instances")).isEqualTo(JSON.readTree("[{\"instance_id\":\"" + instance + "\",\"permissions\":[\"read\",\"interact\"]}]"));
            JsonNode listed = JSON.readTree(chowder.send("GET", "/v1/keys", org, null).body());
            assertThat(listed).hasSize(2);
            for (String field : new String[] {"id", "organization_id", "name", "key_prefix", "is_active", "expires_at", "last_used_at", "created_at"}) {
                assertThat(listed.get(0).has(field)).as(field).isTrue();
            }
            assertThat(chowder.send("GET", "/v1/keys", org, null).body()).doesNotContain(raw.substring(7));

            assertThat(chowder.send("GET", "/v1/instances/" + instance, raw, null).statusCode()).isEqualTo(200);
            assertThat(chowder.send("DELETE", "/v1/keys/" + key.path("id").asText(), org, null).statusCode()).isEqualTo(204);
            assertThat(chowder.send("GET", "/v1/instances/" + instance, raw, null).statusCode()).as("revocation applies to the next request")
                    .isEqualTo(401);
        }
    }

    @Test
    void createAndRevokeStaysWithinTheKeyBoundAndAFullOrganizationIsRefused() throws Exception {
        try (FakeOpenClawGateway gateway = FakeOpenClawGateway.start("t");
                RunningChowder chowder = new RunningChowder(dataDir, Map.of("CHOWDER_MAX_KEYS_PER_ORG", "3"))) {
            String org = chowder.createOrganization("Acme").path("api_key").asText();
            String instance = chowder.registerInstance(org, gateway.baseUrl(), "t");
            String body = "{\"name\":\"app\",\"instance_ids\":[\"" + instance + "\"],\"permissions\":[\"read\"]}";
            JsonNode first = JSON.readTree(chowder.send("POST", "/v1/keys", org, body).body());
            assertThat(chowder.send("POST", "/v1/keys", org, body).statusCode()).isEqualTo(201);

            HttpResponse<String> full = chowder.send("POST", "/v1/keys", org, body);
            assertThat(full.statusCode()).isEqualTo(409);
            assertThat(JSON.readTree(full.body()).path("detail").asText()).isEqualTo(
                    "Key limit reached: this organization may hold 3 keys, revoked and expired ones included, and too few of its keys are"
                            + " revoked or expired to make room (the oldest of those give way to a new key). Revoke keys it no longer uses.");
            assertThat(JSON.readTree(chowder.send("GET", "/v1/keys", org, null).body())).hasSize(3);

            String firstId = first.path("id").asText();
            assertThat(chowder.send("DELETE", "/v1/keys/" + firstId, org, null).statusCode()).isEqualTo(204);
            String latest = null;
            for (int i = 0; i < 10; i++) {
                JsonNode created = JSON.readTree(chowder.send("POST", "/v1/keys", org, body).body());
                latest = created.path("id").asText();
                assertThat(chowder.send("DELETE", "/v1/keys/" + latest, org, null).statusCode()).isEqualTo(204);
            }
            JsonNode listed = JSON.readTree(chowder.send("GET", "/v1/keys", org, null).body());
            assertThat(listed).as("revoked keys give way: the list and the table stay at the bound").hasSize(3);
            assertThat(listed.get(0).path("id").asText()).isEqualTo(latest);
            assertThat(listed.get(0).path("is_active").asBoolean()).as("the newest revoked key is still shown").isFalse();
            assertThat(chowder.send("GET", "/v1/keys/" + firstId, org, null).statusCode()).isEqualTo(404);
            assertThat(chowder.send("GET", "/v1/instances/" + instance, first.path("raw_key").asText(), null).statusCode()).isEqualTo(401);
            assertThat(chowder.send("GET", "/v1/instances/" + instance, org, null).statusCode()).as("the organization's key stays").isEqualTo(200);
        }
    }

    @Test
    void aSessionBoundKeyReachesOnlyItsUsersSessions() throws Exception {
        try (FakeOpenClawGateway gateway = FakeOpenClawGateway.start("t"); RunningChowder chowder = new RunningChowder(dataDir, Map.of())) {
            String org = chowder.createOrganization("Acme").path("api_key").asText();
            String instance = chowder.registerInstance(org, gateway.baseUrl(), "t");
            String bound = JSON.readTree(chowder.send("POST", "/v1/keys", org, "{\"name\":\"user 42\",\"instance_ids\":[\"" + instance
                    + "\"],\"permissions\":[\"interact\"],\"session_ids\":[\"user-42\"],\"session_prefix\":\"user-42/\"}").body())
                    .path("raw_key").asText();
            String base = "/v1/instances/" + instance;
            String body = "{\"input\":\"hi\"}";
            assertThat(chowder.send("POST", base + "/session/user-42/responses", bound, body).statusCode()).isEqualTo(200);
            assertThat(chowder.send("POST", base + "/session/user-42%2Fthread-1/responses", bound, body).statusCode()).isEqualTo(200);
            HttpResponse<String> other = chowder.send("POST", base + "/session/user-43/responses", bound, body);
            assertThat(other.statusCode()).isEqualTo(403);
            assertThat(JSON.readTree(other.body()).path("detail").asText()).isEqualTo("This key may not use this session.");
            assertThat(chowder.send("POST", base + "/responses", bound, body).statusCode()).as("main is a session too").isEqualTo(403);
            assertThat(chowder.send("POST", base + "/session/User-42/responses", bound, body).statusCode()).isEqualTo(403);
            assertThat(gateway.received()).hasSize(2);
        }
    }

    @Test
    void aKeyBoundToSessionsCannotBeGivenConfigureOrFiles() throws Exception {
        try (FakeOpenClawGateway gateway = FakeOpenClawGateway.start("t"); RunningChowder chowder = new RunningChowder(dataDir, Map.of())) {
            String org = chowder.createOrganization("Acme").path("api_key").asText();
            String instance = chowder.registerInstance(org, gateway.baseUrl(), "t");
            for (String permission : new String[] {"configure", "files"}) {
                for (String binding : new String[] {"\"session_ids\":[\"user-42\"]", "\"session_prefix\":\"user-42/\""}) {
                    HttpResponse<String> refused = chowder.send("POST", "/v1/keys", org, "{\"name\":\"user 42\",\"instance_ids\":[\"" + instance
                            + "\"],\"permissions\":[\"interact\",\"" + permission + "\"]," + binding + "}");
                    assertThat(refused.statusCode()).as(permission + " " + binding).isEqualTo(422);
                    assertThat(JSON.readTree(refused.body()).path("detail").asText()).as(binding)
                            .contains("permissions", "session_ids", "session_prefix", permission);
                }
            }
            assertThat(JSON.readTree(chowder.send("GET", "/v1/keys", org, null).body())).as("no key was created").hasSize(1);
        }
    }

    @Test
    void aKeyStoredBoundToSessionsWithConfigureCannotRePointTheGateway() throws Exception {
        try (FakeOpenClawGateway gateway = FakeOpenClawGateway.start("t"); RunningChowder chowder = new RunningChowder(dataDir, Map.of())) {
            String org = chowder.createOrganization("Acme").path("api_key").asText();
            String instance = chowder.registerInstance(org, gateway.baseUrl(), "t");
            JsonNode key = JSON.readTree(chowder.send("POST", "/v1/keys", org, "{\"name\":\"user 42\",\"instance_ids\":[\"" + instance
                    + "\"],\"permissions\":[\"interact\"],\"session_prefix\":\"user-42/\"}").body());
            // As a key created before the combination was refused is stored (before its first use: keys are cached once used).
            String password = java.nio.file.Files.readString(dataDir.resolve(DataDirectory.PASSWORD_FILE)).strip();
            try (Connection database = DriverManager.getConnection("jdbc:h2:file:" + dataDir.resolve("chowder") + ";AUTO_SERVER=TRUE", "sa", password);
                    PreparedStatement grant = database.prepareStatement("UPDATE api_key_instances SET permissions = ? WHERE key_id = ?")) {
                grant.setString(1, "configure,files,interact");
                grant.setObject(2, java.util.UUID.fromString(key.path("id").asText()));
                assertThat(grant.executeUpdate()).isEqualTo(1);
            }
            String bound = key.path("raw_key").asText();
            String path = "/v1/instances/" + instance;

            HttpResponse<String> rePoint = chowder.send("PATCH", path, bound, "{\"gateway_url\":\"http://127.0.0.1:9\",\"gateway_token\":\"mine\"}");
            assertThat(rePoint.statusCode()).isEqualTo(403);
            assertThat(JSON.readTree(rePoint.body()).path("detail").asText()).contains("bound to sessions", "'configure'");
            assertThat(JSON.readTree(chowder.send("GET", path, org, null).body()).path("gateway_url").asText())
                    .isEqualTo(gateway.baseUrl().toString());
            assertThat(chowder.send("PUT", path + "/files/content", bound, "{\"path\":\"a.md\",\"content\":\"x\"}").statusCode()).isEqualTo(403);
            assertThat(chowder.send("POST", path + "/session/user-42%2Fchat/responses", bound, "{\"input\":\"hi\"}").statusCode())
                    .as("what stays within its sessions still works").isEqualTo(200);
        }
    }

    @Test
    void badKeyRequestsAre422NamingTheField() throws Exception {
        try (FakeOpenClawGateway gateway = FakeOpenClawGateway.start("t"); RunningChowder chowder = new RunningChowder(dataDir, Map.of())) {
            String org = chowder.createOrganization("Acme").path("api_key").asText();
            String instance = chowder.registerInstance(org, gateway.baseUrl(), "t");
            Map<String, String> cases = Map.of(
                    "{\"name\":\"k\",\"instance_ids\":[\"" + instance + "\"],\"permissions\":[\"sudo\"]}", "permissions",
                    "{\"name\":\"k\",\"instance_ids\":[\"00000000-0000-0000-0000-000000000001\"],\"permissions\":[\"read\"]}", "instance_ids",
                    "{\"name\":\"k\",\"instance_ids\":\"" + instance + "\",\"permissions\":[\"read\"]}", "instance_ids",
                    "{\"name\":\"k\",\"instance_ids\":[\"" + instance + "\"],\"permissions\":[\"read\"],\"expires_at\":\"2001-01-01T00:00:00Z\"}", "expires_at",
                    "{\"name\":\"k\",\"instance_ids\":[\"" + instance + "\"],\"permissions\":[\"read\"],\"expires_at\":\"soon\"}", "expires_at",
                    "{\"name\":\"\",\"instance_ids\":[\"" + instance + "\"],\"permissions\":[\"read\"]}", "name",
                    "{\"name\":\"" + "n".repeat(129) + "\",\"instance_ids\":[\"" + instance + "\"],\"permissions\":[\"read\"]}", "name");
            for (Map.Entry<String, String> bad : cases.entrySet()) {
                HttpResponse<String> response = chowder.send("POST", "/v1/keys", org, bad.getKey());
                assertThat(response.statusCode()).as(bad.getKey()).isEqualTo(422);
                assertThat(JSON.readTree(response.body()).path("detail").asText()).as(bad.getKey()).contains(bad.getValue());
            }
            assertThat(chowder.send("GET", "/v1/keys/not-a-key", org, null).statusCode()).isEqualTo(404);
        }
    }

    @Test
    void theOrganizationIsShownAndRenamedAndSignupIsOffByDefault() throws Exception {
        try (RunningChowder chowder = new RunningChowder(dataDir, Map.of())) {
            String org = chowder.createOrganization("Acme").path("api_key").asText();
            assertThat(JSON.readTree(chowder.send("GET", "/v1/organization", org, null).body()).path("name").asText()).isEqualTo("Acme");
            assertThat(JSON.readTree(chowder.send("PATCH", "/v1/organization", org, "{\"name\":\"Acme Corp\"}").body()).path("name").asText())
                    .isEqualTo("Acme Corp");
            assertThat(chowder.send("PATCH", "/v1/organization", org, "{\"name\":\"" + "x".repeat(129) + "\"}").statusCode()).isEqualTo(422);
            assertThat(chowder.send("POST", "/v1/organization/signup", null, "{\"name\":\"Mallory\"}").statusCode()).isEqualTo(404);
        }
    }

    @Test
    void signupWhenEnabledCreatesAnOrganizationWithItsFirstKey() throws Exception {
        try (RunningChowder chowder = new RunningChowder(dataDir, Map.of("CHOWDER_SIGNUP_ENABLED", "true"))) {
            HttpResponse<String> signup = chowder.send("POST", "/v1/organization/signup", null, "{\"name\":\"Initech\"}");
            assertThat(signup.statusCode()).isEqualTo(201);
            JsonNode body = JSON.readTree(signup.body());
            assertThat(body.path("organization").path("name").asText()).isEqualTo("Initech");
            String key = body.path("api_key").asText();
            assertThat(JSON.readTree(chowder.send("GET", "/v1/organization", key, null).body()).path("name").asText()).isEqualTo("Initech");
            assertThat(chowder.send("POST", "/v1/organization/signup", null, "{\"name\":\"\"}").statusCode()).isEqualTo(422);
        }
    }
}
