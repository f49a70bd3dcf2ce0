package chowder.adapter.http.instances;

import static org.assertj.core.api.Assertions.assertThat;

import chowder.adapter.http.ApiTest;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** The hosted instances endpoints: register, list, show, change, stop, start, delete, and their errors. */
class InstanceRoutesTest extends ApiTest {
    @Test
    void registersListsAndShowsInstancesWithoutEverReturningTheToken() throws Exception {
        HttpResponse<String> created = send("POST", "/v1/instances", acmeKey,
                "{\"name\":\"support-bot\",\"gateway_url\":\"http://127.0.0.1:18789\",\"gateway_token\":\"secret-gw-token\"}");
        assertThat(created.statusCode()).isEqualTo(201);
        JsonNode instance = JSON.readTree(created.body());
        assertThat(instance.path("name").asText()).isEqualTo("support-bot");
        assertThat(instance.path("status").asText()).isEqualTo("provisioning");
        assertThat(instance.path("gateway_url").asText()).isEqualTo("http://127.0.0.1:18789");
        assertThat(instance.has("organization_id") && instance.has("created_at") && instance.has("error_message")).isTrue();
        assertThat(created.body()).doesNotContain("secret-gw-token").doesNotContain("gateway_token");

        String id = instance.path("id").asText();
        HttpResponse<String> list = send("GET", "/v1/instances", acmeKey, null);
        assertThat(JSON.readTree(list.body()).findValuesAsText("id")).containsExactly(id);
        assertThat(list.body()).doesNotContain("secret-gw-token");
        assertThat(JSON.readTree(send("GET", "/v1/instances/" + id, acmeKey, null).body()).path("id").asText()).isEqualTo(id);
    }

    @Test
    void theInstanceLifecycleThroughTheApiWithEvery409() throws Exception {
        String id = register(acmeKey);
        String path = "/v1/instances/" + id;
        assertThat(JSON.readTree(send("GET", path + "/status", acmeKey, null).body()))
                .isEqualTo(JSON.readTree("{\"id\":\"" + id + "\",\"status\":\"running\",\"gateway_url\":\"http://127.0.0.1:18789\"}"));
        HttpResponse<String> started = send("POST", path + "/start", acmeKey, null);
        assertThat(started.statusCode()).isEqualTo(409);
        assertThat(detail(started)).isEqualTo("Instance is already running; stop it first to start it again.");
        HttpResponse<String> stopped = send("POST", path + "/stop", acmeKey, null);
        assertThat(JSON.readTree(stopped.body()).path("status").asText()).isEqualTo("stopped");
        HttpResponse<String> again = send("POST", path + "/stop", acmeKey, null);
        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(detail(again)).isEqualTo("Instance is already stopped.");
        HttpResponse<String> refused = send("POST", path + "/responses", acmeKey, "{\"input\":\"hi\"}");
        assertThat(refused.statusCode()).isEqualTo(409);
        assertThat(detail(refused)).isEqualTo("Instance is not running.");
        assertThat(JSON.readTree(send("POST", path + "/start", acmeKey, null).body()).path("status").asText()).isEqualTo("provisioning");
        assertThat(JSON.readTree(send("GET", path, acmeKey, null).body()).path("status").asText()).isEqualTo("running");
        assertThat(send("POST", path + "/responses", acmeKey, "{\"input\":\"hi\"}").statusCode()).isEqualTo(200);

        HttpResponse<String> patched = send("PATCH", path, acmeKey,
                "{\"name\":\"renamed\",\"gateway_token\":\"rotated\",\"openclaw_config\":{\"agents\":{\"defaults\":{}}}}");
        assertThat(patched.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(patched.body()).path("name").asText()).isEqualTo("renamed");
        assertThat(JSON.readTree(patched.body()).path("openclaw_config")).isEqualTo(JSON.readTree("{\"agents\":{\"defaults\":{}}}"));
        assertThat(patched.body()).doesNotContain("rotated");
        assertThat(send("PATCH", path, acmeKey, "{\"openclaw_config\":[1]}").statusCode()).isEqualTo(422);

        assertThat(send("DELETE", path, acmeKey, null).statusCode()).isEqualTo(204);
        assertThat(send("GET", path, acmeKey, null).statusCode()).isEqualTo(404);
        assertThat(send("DELETE", path, acmeKey, null).statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(send("GET", "/v1/instances", acmeKey, null).body())).isEmpty();
    }

    @Test
    void theInstanceLimitIs402AndForbiddenAddressesAre422() throws Exception {
        api.health.forbiddenHosts.add("169.254.169.254");
        HttpResponse<String> metadata = send("POST", "/v1/instances", acmeKey,
                "{\"name\":\"x\",\"gateway_url\":\"http://169.254.169.254\",\"gateway_token\":\"t\"}");
        assertThat(metadata.statusCode()).isEqualTo(422);
        for (int i = 0; i < 3; i++) {
            register(acmeKey);
        }
        HttpResponse<String> fourth = send("POST", "/v1/instances", acmeKey,
                "{\"name\":\"four\",\"gateway_url\":\"http://127.0.0.1:18789\",\"gateway_token\":\"t\"}");
        assertThat(fourth.statusCode()).isEqualTo(402);
        assertThat(detail(fourth)).contains("Instance limit reached");
    }

    @Test
    void anotherOrganizationsInstanceIsNotFound() throws Exception {
        String id = register(acmeKey);
        for (String path : new String[] {"/v1/instances/" + id, "/v1/instances/not-a-uuid"}) {
            HttpResponse<String> response = send("GET", path, globexKey, null);
            assertThat(response.statusCode()).isEqualTo(404);
            assertThat(detail(response)).isEqualTo("Instance not found.");
        }
        HttpResponse<String> foreignSend = send("POST", "/v1/instances/" + id + "/responses", globexKey, "{\"input\":\"hi\"}");
        assertThat(foreignSend.statusCode()).isEqualTo(404);
        for (String[] call : new String[][] {{"PATCH", "", "{\"name\":\"x\"}"}, {"DELETE", "", null}, {"POST", "/stop", null},
                {"POST", "/start", null}, {"GET", "/status", null}}) {
            assertThat(send(call[0], "/v1/instances/" + id + call[1], globexKey, call[2]).statusCode()).as(call[0] + call[1]).isEqualTo(404);
        }
        assertThat(JSON.readTree(send("GET", "/v1/instances/" + id, acmeKey, null).body()).path("status").asText()).isEqualTo("running");
        assertThat(JSON.readTree(send("GET", "/v1/instances", globexKey, null).body())).isEmpty();
        assertThat(gateway.calls).isEmpty();
    }

    @Test
    void invalidRegistrationsAnswer422NamingTheField() throws Exception {
        HttpResponse<String> response = send("POST", "/v1/instances", acmeKey, "{\"name\":\"x\",\"gateway_url\":\"ftp://h\",\"gateway_token\":\"t\"}");
        assertThat(response.statusCode()).isEqualTo(422);
        assertThat(detail(response)).contains("gateway_url");
        HttpResponse<String> wrongType = send("POST", "/v1/instances", acmeKey, "{\"name\":42}");
        assertThat(wrongType.statusCode()).isEqualTo(422);
        assertThat(detail(wrongType)).isEqualTo("name must be a string.");
    }
}
