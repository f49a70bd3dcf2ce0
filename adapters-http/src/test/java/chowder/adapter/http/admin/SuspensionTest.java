package chowder.adapter.http.admin;

import static org.assertj.core.api.Assertions.assertThat;

import chowder.adapter.http.ApiTest;
import chowder.adapter.http.RoutesHarness;
import chowder.domain.InstanceId;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A suspended organization's keys are refused on every route, the responses relay included, until it is resumed. */
class SuspensionTest extends ApiTest {
    private static final String TOKEN = RoutesHarness.ADMIN_TOKEN;
    private static final String MESSAGE = "{\"model\": \"m\", \"input\": \"hi\"}";
    private static final String SUSPENDED = "{\"detail\":\"This organization is suspended by its operator.\"}";

    @Test
    void aSuspendedOrganizationsKeysAre403UntilItIsResumedAndOtherOrganizationsCarryOn() throws Exception {
        String acme = JSON.readTree(send("GET", "/v1/organization", acmeKey, null).body()).path("id").asText();
        String instance = register(acmeKey);
        String scoped = api.scopedKey(acmeKey, InstanceId.parse(instance), List.of("read", "interact"));
        String globexInstance = register(globexKey);
        assertThat(send("POST", "/v1/instances/" + instance + "/responses", scoped, MESSAGE).statusCode()).isEqualTo(200);

        HttpResponse<String> suspended = send("PATCH", "/v1/admin/organizations/" + acme, TOKEN, "{\"suspended\": true}");
        assertThat(suspended.statusCode()).as(suspended.body()).isEqualTo(200);
        JsonNode shown = JSON.readTree(suspended.body());
        assertThat(shown.path("suspended").asBoolean()).isTrue();
        assertThat(shown.path("suspended_at").asText()).isNotEmpty();
        int callsBefore = gateway.calls.size();
        for (String key : List.of(acmeKey, scoped)) {
            for (String[] route : List.of(new String[] {"GET", "/v1/instances/" + instance, null},
                    new String[] {"POST", "/v1/instances/" + instance + "/responses", MESSAGE},
                    new String[] {"POST", "/v1/instances/" + instance + "/session/user-1/responses", MESSAGE})) {
                HttpResponse<String> refused = send(route[0], route[1], key, route[2]);
                assertThat(refused.statusCode()).as(route[1]).isEqualTo(403);
                assertThat(refused.body()).isEqualTo(SUSPENDED);
            }
        }
        assertThat(send("GET", "/v1/organization", acmeKey, null).statusCode()).isEqualTo(403);
        assertThat(gateway.calls).hasSize(callsBefore);
        // The operator still sees it; the other organization is untouched.
        JsonNode listed = JSON.readTree(send("GET", "/v1/admin/organizations", TOKEN, null).body());
        assertThat(listed.get(0).path("id").asText()).isEqualTo(acme);
        assertThat(listed.get(0).path("suspended").asBoolean()).isTrue();
        assertThat(send("POST", "/v1/instances/" + globexInstance + "/responses", globexKey, MESSAGE).statusCode()).isEqualTo(200);
        // Suspending again changes nothing, not even when it began.
        JsonNode twice = JSON.readTree(send("PATCH", "/v1/admin/organizations/" + acme, TOKEN, "{\"suspended\": true}").body());
        assertThat(twice.path("suspended_at").asText()).isEqualTo(shown.path("suspended_at").asText());

        HttpResponse<String> resumed = send("PATCH", "/v1/admin/organizations/" + acme, TOKEN, "{\"suspended\": false}");
        assertThat(JSON.readTree(resumed.body()).path("suspended").asBoolean(true)).isFalse();
        assertThat(JSON.readTree(resumed.body()).get("suspended_at").isNull()).isTrue();
        assertThat(send("GET", "/v1/instances/" + instance, acmeKey, null).statusCode()).isEqualTo(200);
        assertThat(send("POST", "/v1/instances/" + instance + "/responses", acmeKey, MESSAGE).statusCode()).isEqualTo(200);
        assertThat(send("POST", "/v1/instances/" + instance + "/responses", scoped, MESSAGE).statusCode()).isEqualTo(200);
    }
}
