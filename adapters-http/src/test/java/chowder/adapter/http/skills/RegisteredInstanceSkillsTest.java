package chowder.adapter.http.skills;

import static org.assertj.core.api.Assertions.assertThat;

import chowder.adapter.http.ApiTest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** The skill routes of an instance Chowder did not provision. */
class RegisteredInstanceSkillsTest extends ApiTest {
    @Test
    void aRegisteredGatewaysSkillsAreAClearConflictAndAnotherOrganizationsANotFound() throws Exception {
        String id = JSON.readTree(send("POST", "/v1/instances", acmeKey,
                "{\"name\":\"registered\",\"gateway_url\":\"http://127.0.0.1:18789\",\"gateway_token\":\"t\"}").body()).path("id").asText();
        String skills = "/v1/instances/" + id + "/skills";

        for (HttpResponse<String> conflict : java.util.List.of(send("GET", skills, acmeKey, null),
                send("POST", skills + "/install", acmeKey, "{\"slug\":\"weather\"}"),
                send("PATCH", skills + "/weather", acmeKey, "{\"enabled\":false}"), send("DELETE", skills + "/weather", acmeKey, null))) {
            assertThat(conflict.statusCode()).as(conflict.body()).isEqualTo(409);
            assertThat(detail(conflict)).contains("provisions", "registered gateway");
        }
        for (HttpResponse<String> hidden : java.util.List.of(send("GET", skills, globexKey, null),
                send("POST", skills + "/install", globexKey, "{\"slug\":\"weather\"}"),
                send("PATCH", skills + "/weather", globexKey, "{\"enabled\":false}"))) {
            assertThat(hidden.statusCode()).as(hidden.body()).isEqualTo(404);
        }
        assertThat(send("GET", skills + "?eligible_only=maybe", acmeKey, null).statusCode()).isEqualTo(400);
    }
}
