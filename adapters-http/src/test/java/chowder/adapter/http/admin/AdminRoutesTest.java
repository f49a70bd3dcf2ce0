package chowder.adapter.http.admin;

import static org.assertj.core.api.Assertions.assertThat;

import chowder.adapter.http.ApiTest;
import chowder.adapter.http.RoutesHarness;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The operator's admin API behind its token: every route's answer, and what it refuses. */
class AdminRoutesTest extends ApiTest {
    private static final String TOKEN = RoutesHarness.ADMIN_TOKEN;

    @Test
    void anOperatorCreatesListsRenamesAndIssuesKeysOfOrganizations() throws Exception {
        HttpResponse<String> created = send("POST", "/v1/admin/organizations", TOKEN, "{\"name\": \"Initech\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode answer = JSON.readTree(created.body());
        String id = answer.path("organization").path("id").asText();
        String key = answer.path("api_key").asText();
        assertThat(key).startsWith("chd_org_");
        assertThat(answer.path("organization").path("name").asText()).isEqualTo("Initech");
        assertThat(answer.path("organization").path("suspended").asBoolean(true)).isFalse();
        assertThat(answer.path("organization").get("suspended_at").isNull()).isTrue();
        assertThat(send("GET", "/v1/organization", key, null).statusCode()).isEqualTo(200);

        JsonNode listed = JSON.readTree(send("GET", "/v1/admin/organizations", TOKEN, null).body());
        assertThat(listed).hasSize(3);
        assertThat(listed.get(0).path("name").asText()).isEqualTo("Acme");
        assertThat(listed.get(2).path("id").asText()).isEqualTo(id);
        assertThat(listed.get(2).fieldNames()).toIterable().containsExactlyInAnyOrder("id", "name", "created_at", "updated_at",
                "model_providers", "subscription_tier", "instance_limit", "instance_count", "limits", "suspended", "suspended_at");

        HttpResponse<String> renamed = send("PATCH", "/v1/admin/organizations/" + id, TOKEN, "{\"name\": \"Initrode\"}");
        assertThat(renamed.statusCode()).as(renamed.body()).isEqualTo(200);
        assertThat(JSON.readTree(renamed.body()).path("name").asText()).isEqualTo("Initrode");
        assertThat(JSON.readTree(send("GET", "/v1/admin/organizations/" + id, TOKEN, null).body()).path("name").asText()).isEqualTo("Initrode");

        HttpResponse<String> issued = send("POST", "/v1/admin/organizations/" + id + "/keys", TOKEN, "{\"name\": \"ops\"}");
        assertThat(issued.statusCode()).as(issued.body()).isEqualTo(201);
        JsonNode newKey = JSON.readTree(issued.body());
        assertThat(newKey.path("kind").asText()).isEqualTo("organization");
        assertThat(newKey.path("name").asText()).isEqualTo("ops");
        assertThat(newKey.path("organization_id").asText()).isEqualTo(id);
        assertThat(newKey.path("raw_key").asText()).startsWith("chd_org_");
        assertThat(send("GET", "/v1/keys", newKey.path("raw_key").asText(), null).statusCode()).isEqualTo(200);
        HttpResponse<String> unnamed = send("POST", "/v1/admin/organizations/" + id + "/keys", TOKEN, null);
        assertThat(unnamed.statusCode()).as(unnamed.body()).isEqualTo(201);
        assertThat(JSON.readTree(unnamed.body()).path("name").asText()).isEqualTo("admin");
    }

    @Test
    void aPlanChangesOnlyWhatIsGivenAndShowsInTheOrganizationsOwnView() throws Exception {
        String acme = JSON.readTree(send("GET", "/v1/organization", acmeKey, null).body()).path("id").asText();
        JsonNode plan = JSON.readTree(send("GET", "/v1/admin/organizations/" + acme + "/plan", TOKEN, null).body());
        assertThat(plan.toString()).isEqualTo("{\"organization_id\":\"" + acme + "\",\"subscription_tier\":\"self-hosted\",\"instance_limit\":null,"
                + "\"limits\":{\"tokens_per_day\":null,\"tokens_per_month\":null,\"requests_per_minute\":null},\"operator_model_keys\":null}");

        HttpResponse<String> changed = send("PATCH", "/v1/admin/organizations/" + acme + "/plan", TOKEN,
                "{\"subscription_tier\": \"team\", \"instance_limit\": 7, \"limits\": {\"tokens_per_day\": 1000}, \"operator_model_keys\": false}");
        assertThat(changed.statusCode()).as(changed.body()).isEqualTo(200);
        HttpResponse<String> again = send("PATCH", "/v1/admin/organizations/" + acme + "/plan", TOKEN, "{\"limits\": {\"requests_per_minute\": 60}}");
        assertThat(JSON.readTree(again.body()).toString()).isEqualTo("{\"organization_id\":\"" + acme + "\",\"subscription_tier\":\"team\","
                + "\"instance_limit\":7,\"limits\":{\"tokens_per_day\":1000,\"tokens_per_month\":null,\"requests_per_minute\":60},"
                + "\"operator_model_keys\":false}");
        JsonNode own = JSON.readTree(send("GET", "/v1/organization", acmeKey, null).body());
        assertThat(own.path("subscription_tier").asText()).isEqualTo("team");
        assertThat(own.path("instance_limit").asInt()).isEqualTo(7);
        assertThat(own.path("limits").path("tokens_per_day").asLong()).isEqualTo(1000);

        HttpResponse<String> reset = send("PATCH", "/v1/admin/organizations/" + acme + "/plan", TOKEN,
                "{\"instance_limit\": null, \"limits\": {\"tokens_per_day\": null}, \"operator_model_keys\": null}");
        JsonNode back = JSON.readTree(reset.body());
        assertThat(back.get("instance_limit").isNull()).isTrue();
        assertThat(back.path("limits").get("tokens_per_day").isNull()).isTrue();
        assertThat(back.path("limits").path("requests_per_minute").asLong()).isEqualTo(60);
        assertThat(back.get("operator_model_keys").isNull()).isTrue();

        for (String bad : new String[] {"{\"limits\": {\"tokens_per_day\": 0}}", "{\"instance_limit\": -1}", "{\"subscription_tier\": \"\"}",
                "{\"operator_model_keys\": \"yes\"}", "{\"tier\": \"team\"}", "{\"limits\": {\"per_day\": 1}}", "{\"limits\": 5}"}) {
            HttpResponse<String> refused = send("PATCH", "/v1/admin/organizations/" + acme + "/plan", TOKEN, bad);
            assertThat(refused.statusCode()).as(bad + " " + refused.body()).isEqualTo(422);
            assertThat(JSON.readTree(refused.body()).fieldNames()).toIterable().containsExactly("detail");
        }
        assertThat(JSON.readTree(send("GET", "/v1/admin/organizations/" + acme + "/plan", TOKEN, null).body()).path("subscription_tier").asText())
                .isEqualTo("team");
    }

    @Test
    void usageAddsUpTheOrganizationsInstancesOverTheWindowAsked() throws Exception {
        String acme = JSON.readTree(send("GET", "/v1/organization", acmeKey, null).body()).path("id").asText();
        String instance = register(acmeKey);
        assertThat(send("POST", "/v1/instances/" + instance + "/responses", acmeKey, "{\"model\": \"m\", \"input\": \"hi\"}").statusCode())
                .isEqualTo(200);
        HttpResponse<String> usage = send("GET", "/v1/admin/organizations/" + acme + "/usage", TOKEN, null);
        assertThat(usage.statusCode()).as(usage.body()).isEqualTo(200);
        JsonNode report = JSON.readTree(usage.body());
        assertThat(report.path("organization_id").asText()).isEqualTo(acme);
        assertThat(report.path("turns").asLong()).isEqualTo(1);
        assertThat(report.path("by_instance")).hasSize(1);
        assertThat(report.path("by_instance").get(0).path("instance_id").asText()).isEqualTo(instance);
        assertThat(report.path("by_instance").get(0).path("name").asText()).isEqualTo("bot");
        assertThat(report.path("by_instance").get(0).path("turns").asLong()).isEqualTo(1);
        assertThat(report.fieldNames()).toIterable().containsExactlyInAnyOrder("organization_id", "from", "to", "turns", "input_tokens",
                "output_tokens", "total_tokens", "by_instance");

        JsonNode empty = JSON.readTree(send("GET", "/v1/admin/organizations/" + acme + "/usage?from=2020-01-01T00:00:00Z&to=2020-02-01T00:00:00Z",
                TOKEN, null).body());
        assertThat(empty.path("turns").asLong()).isZero();
        assertThat(empty.path("from").asText()).isEqualTo("2020-01-01T00:00:00Z");
        assertThat(send("GET", "/v1/admin/organizations/" + acme + "/usage?from=yesterday", TOKEN, null).statusCode()).isEqualTo(400);
        HttpResponse<String> ages = send("GET", "/v1/admin/organizations/" + acme + "/usage?from=-999999999-01-01T00:00:00Z", TOKEN, null);
        assertThat(ages.statusCode()).as(ages.body()).isEqualTo(400);
        assertThat(detail(ages)).isEqualTo("from must be from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999999Z (years 1 to 9999, UTC).");
        HttpResponse<String> backwards = send("GET", "/v1/admin/organizations/" + acme + "/usage?from=2020-02-01T00:00:00Z&to=2020-01-01T00:00:00Z",
                TOKEN, null);
        assertThat(backwards.statusCode()).isEqualTo(400);
        assertThat(detail(backwards)).isEqualTo("from must be before to.");
    }

    @Test
    void anUnknownOrganizationIsA404AndABadBodyA400Or422() throws Exception {
        for (String path : new String[] {"/v1/admin/organizations/00000000-0000-0000-0000-000000000001", "/v1/admin/organizations/not-a-uuid",
                "/v1/admin/organizations/00000000-0000-0000-0000-000000000001/plan",
                "/v1/admin/organizations/00000000-0000-0000-0000-000000000001/usage"}) {
            HttpResponse<String> missing = send("GET", path, TOKEN, null);
            assertThat(missing.statusCode()).as(path).isEqualTo(404);
            assertThat(JSON.readTree(missing.body()).fieldNames()).toIterable().containsExactly("detail");
        }
        assertThat(send("PATCH", "/v1/admin/organizations/00000000-0000-0000-0000-000000000001", TOKEN, "{\"suspended\": true}").statusCode())
                .isEqualTo(404);
        assertThat(send("POST", "/v1/admin/organizations/00000000-0000-0000-0000-000000000001/keys", TOKEN, "{}").statusCode()).isEqualTo(404);
        assertThat(send("PATCH", "/v1/admin/organizations/00000000-0000-0000-0000-000000000001/plan", TOKEN, "{\"tier\": 1}").statusCode())
                .isEqualTo(404);
        assertThat(send("POST", "/v1/admin/organizations", TOKEN, "{\"name\": \"\"}").statusCode()).isEqualTo(422);
        assertThat(send("POST", "/v1/admin/organizations", TOKEN, "{\"name\": 5}").statusCode()).isEqualTo(422);
        assertThat(send("POST", "/v1/admin/organizations", TOKEN, "[\"Acme\"]").statusCode()).isEqualTo(400);
        assertThat(send("POST", "/v1/admin/organizations", TOKEN, "{\"name\": ").statusCode()).isEqualTo(400);
        String acme = JSON.readTree(send("GET", "/v1/organization", acmeKey, null).body()).path("id").asText();
        assertThat(send("PATCH", "/v1/admin/organizations/" + acme, TOKEN, "{\"suspended\": \"yes\"}").statusCode()).isEqualTo(422);
        assertThat(send("PATCH", "/v1/admin/organizations/" + acme, TOKEN, "{\"name\": \"\"}").statusCode()).isEqualTo(422);
        assertThat(JSON.readTree(send("GET", "/v1/admin/organizations/" + acme, TOKEN, null).body()).path("name").asText()).isEqualTo("Acme");
        assertThat(send("DELETE", "/v1/admin/organizations/" + acme, TOKEN, null).statusCode()).isEqualTo(405);
    }

    @Test
    void anUnknownFieldOrANullIsRefusedNotIgnored() throws Exception {
        String acme = JSON.readTree(send("GET", "/v1/organization", acmeKey, null).body()).path("id").asText();
        // A typo of "suspended" must not answer 200 with the organization still active.
        HttpResponse<String> typo = send("PATCH", "/v1/admin/organizations/" + acme, TOKEN, "{\"suspend\": true}");
        assertThat(typo.statusCode()).as(typo.body()).isEqualTo(422);
        assertThat(detail(typo)).isEqualTo("suspend is not an organization field; the fields are [name, suspended].");
        assertThat(send("GET", "/v1/instances", acmeKey, null).statusCode()).isEqualTo(200);
        for (String bad : new String[] {"{\"suspended\": null}", "{\"name\": null}", "{\"name\": \"Acme 2\", \"suspended\": null}"}) {
            HttpResponse<String> refused = send("PATCH", "/v1/admin/organizations/" + acme, TOKEN, bad);
            assertThat(refused.statusCode()).as(bad + " " + refused.body()).isEqualTo(422);
            assertThat(JSON.readTree(refused.body()).fieldNames()).toIterable().containsExactly("detail");
        }
        JsonNode unchanged = JSON.readTree(send("GET", "/v1/admin/organizations/" + acme, TOKEN, null).body());
        assertThat(unchanged.path("name").asText()).isEqualTo("Acme");
        assertThat(unchanged.path("suspended").asBoolean(true)).isFalse();
        assertThat(send("GET", "/v1/instances", acmeKey, null).statusCode()).isEqualTo(200);

        HttpResponse<String> create = send("POST", "/v1/admin/organizations", TOKEN, "{\"name\": \"Initech\", \"suspended\": true}");
        assertThat(create.statusCode()).as(create.body()).isEqualTo(422);
        assertThat(detail(create)).isEqualTo("suspended is not a field of a new organization; the fields are [name].");
        HttpResponse<String> key = send("POST", "/v1/admin/organizations/" + acme + "/keys", TOKEN, "{\"name\": \"ops\", \"permissions\": [\"read\"]}");
        assertThat(key.statusCode()).as(key.body()).isEqualTo(422);
        assertThat(detail(key)).isEqualTo("permissions is not a field of a new key; the fields are [name].");
        // Nothing was created by either.
        assertThat(JSON.readTree(send("GET", "/v1/admin/organizations", TOKEN, null).body())).hasSize(2);
        assertThat(JSON.readTree(send("GET", "/v1/keys", acmeKey, null).body())).hasSize(1);
    }

    @Test
    void aKeyRequestWithNoBodyAtAllGetsTheDefaultName() throws Exception {
        String acme = JSON.readTree(send("GET", "/v1/organization", acmeKey, null).body()).path("id").asText();
        String head = "POST /v1/admin/organizations/" + acme + "/keys HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + TOKEN
                + "\r\nConnection: close\r\n";
        // What curl -X POST sends: no Content-Length, no body; then an empty chunked body, and one of only whitespace.
        for (String request : new String[] {head + "\r\n", head + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                head + "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n \n"}) {
            String answer = raw(request);
            assertThat(answer).as(request).startsWith("HTTP/1.1 201");
            JsonNode key = JSON.readTree(answer.substring(answer.indexOf("\r\n\r\n") + 4));
            assertThat(key.path("name").asText()).isEqualTo("admin");
            assertThat(key.path("raw_key").asText()).startsWith("chd_org_");
        }
        assertThat(send("POST", "/v1/admin/organizations/" + acme + "/keys", TOKEN, "[]").statusCode()).isEqualTo(400);
        assertThat(send("POST", "/v1/admin/organizations/" + acme + "/keys", TOKEN, "{\"name\": 1}").statusCode()).isEqualTo(422);
    }

    /** The answer, head and body, to a request written byte for byte as given. */
    private String raw(String request) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", api.port())) {
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
