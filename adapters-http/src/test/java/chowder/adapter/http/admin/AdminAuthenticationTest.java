package chowder.adapter.http.admin;

import static org.assertj.core.api.Assertions.assertThat;

import chowder.adapter.http.ApiTest;
import chowder.adapter.http.RoutesHarness;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The admin token guards every admin route, no API key opens one, and the token opens no tenant route. */
class AdminAuthenticationTest extends ApiTest {
    private static final String TOKEN = RoutesHarness.ADMIN_TOKEN;
    private static final String SOME_ORGANIZATION = "/v1/admin/organizations/00000000-0000-0000-0000-000000000001";
    /** Every admin route (and an unknown path under the prefix), with a body where it takes one. */
    static final List<String[]> ROUTES = List.of(
            new String[] {"GET", "/v1/admin/organizations", null},
            new String[] {"POST", "/v1/admin/organizations", "{\"name\": \"Intruder\"}"},
            new String[] {"GET", SOME_ORGANIZATION, null},
            new String[] {"PATCH", SOME_ORGANIZATION, "{\"suspended\": false}"},
            new String[] {"POST", SOME_ORGANIZATION + "/keys", "{}"},
            new String[] {"GET", SOME_ORGANIZATION + "/plan", null},
            new String[] {"PATCH", SOME_ORGANIZATION + "/plan", "{}"},
            new String[] {"GET", SOME_ORGANIZATION + "/usage", null},
            new String[] {"GET", "/v1/admin/unknown", null});

    @Test
    void everyAdminRouteRefusesAMissingTokenAWrongOneAndEveryApiKey() throws Exception {
        String scoped = api.scopedKey(acmeKey, chowder.domain.InstanceId.parse(register(acmeKey)), List.of("read"));
        for (String[] route : ROUTES) {
            HttpResponse<String> missing = send(route[0], route[1], null, route[2]);
            assertThat(missing.statusCode()).as(route[0] + " " + route[1]).isEqualTo(401);
            assertThat(detail(missing)).isEqualTo("Missing admin token: send 'Authorization: Bearer <CHOWDER_ADMIN_TOKEN>'.");
            for (String wrong : List.of(acmeKey, scoped, TOKEN + "x", TOKEN.substring(1), TOKEN.toUpperCase(), "x")) {
                HttpResponse<String> refused = send(route[0], route[1], wrong, route[2]);
                assertThat(refused.statusCode()).as(route[0] + " " + route[1]).isEqualTo(401);
                assertThat(refused.body()).isEqualTo("{\"detail\":\"Invalid admin token.\"}");
                // The right token in between: a near miss on the same connection is not taken for it (Jetty's header cache).
                assertThat(send("GET", "/v1/admin/organizations", TOKEN, null).statusCode()).isEqualTo(200);
            }
        }
        // Nothing was created by any of those requests.
        assertThat(JSON.readTree(send("GET", "/v1/admin/organizations", TOKEN, null).body())).hasSize(2);
    }

    @Test
    void onlyABearerCredentialIsTakenAndItIsNeverQuoted() throws Exception {
        for (String authorization : List.of("Basic " + TOKEN, TOKEN, "Bearer  ", "bearer " + TOKEN + " extra")) {
            HttpResponse<String> refused = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + api.port() + "/v1/admin/organizations")).header("Authorization", authorization).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(refused.statusCode()).as(authorization).isEqualTo(401);
            assertThat(refused.body()).doesNotContain(TOKEN);
        }
        HttpResponse<String> lowercase = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + api.port() + "/v1/admin/organizations")).header("Authorization", "bearer " + TOKEN).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(lowercase.statusCode()).isEqualTo(200);
    }

    @Test
    void theAdminTokenOnATenantRouteIsAnInvalidApiKey() throws Exception {
        String instance = register(acmeKey);
        for (String[] route : List.of(new String[] {"GET", "/v1/instances"}, new String[] {"GET", "/v1/organization"},
                new String[] {"GET", "/v1/keys"}, new String[] {"POST", "/v1/instances/" + instance + "/responses"})) {
            HttpResponse<String> refused = send(route[0], route[1], TOKEN, route[0].equals("POST") ? "{\"model\": \"m\", \"input\": \"hi\"}" : null);
            assertThat(refused.statusCode()).as(route[1]).isEqualTo(401);
            assertThat(refused.body()).doesNotContain(TOKEN);
        }
        assertThat(gateway.calls).isEmpty();
    }
}
