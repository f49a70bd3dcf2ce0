package chowder.adapter.http.limits;

import static org.assertj.core.api.Assertions.assertThat;

import chowder.adapter.http.ApiTest;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** The limits extension: key and session limits, set by the organization and enforced on turns. */
class LimitRoutesTest extends ApiTest {
    @Test
    void keyAndSessionLimitsAreSetByTheOrganizationAndASpentRateIs429WithRetryAfter() throws Exception {
        String instance = JSON.readTree(send("POST", "/v1/instances", acmeKey,
                "{\"name\": \"bot\", \"gateway_url\": \"http://10.1.1.1:1\", \"gateway_token\": \"t\"}").body()).path("id").asText();
        JsonNode created = JSON.readTree(send("POST", "/v1/keys", acmeKey, "{\"name\": \"support\", \"instance_ids\": [\"" + instance
                + "\"], \"permissions\": [\"interact\"]}").body());
        String keyId = created.path("id").asText();
        String scoped = created.path("raw_key").asText();

        HttpResponse<String> set = send("PUT", "/v1/keys/" + keyId + "/limits", acmeKey, "{\"requests_per_minute\": 1, \"tokens_per_day\": null}");
        assertThat(set.statusCode()).as(set.body()).isEqualTo(200);
        assertThat(JSON.readTree(send("GET", "/v1/keys/" + keyId + "/limits", acmeKey, null).body()).toString())
                .isEqualTo("{\"key_id\":\"" + keyId + "\",\"tokens_per_day\":null,\"tokens_per_month\":null,\"requests_per_minute\":1}");
        String message = "{\"model\": \"m\", \"input\": \"hi\"}";
        assertThat(send("POST", "/v1/instances/" + instance + "/responses", scoped, message).statusCode()).isEqualTo(200);
        HttpResponse<String> limited = send("POST", "/v1/instances/" + instance + "/responses", scoped, message);
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(detail(limited)).startsWith("Rate limit exceeded: this key's requests_per_minute (1) is used up; retry in ");
        assertThat(limited.headers().firstValue("Retry-After")).hasValueSatisfying(seconds -> assertThat(Long.parseLong(seconds)).isPositive());
        assertThat(send("POST", "/v1/instances/" + instance + "/responses", acmeKey, message).statusCode()).isEqualTo(200);

        assertThat(send("PUT", "/v1/keys/" + keyId + "/limits", acmeKey, "{\"tokens_per_day\": 0}").statusCode()).isEqualTo(422);
        // Beyond a billion a minute the shared counters cannot refill the allowance: every turn of the key was a 500.
        HttpResponse<String> tooFast = send("PUT", "/v1/keys/" + keyId + "/limits", acmeKey, "{\"requests_per_minute\": 60000000001}");
        assertThat(tooFast.statusCode()).isEqualTo(422);
        assertThat(detail(tooFast)).isEqualTo("requests_per_minute must be a whole number from 1 to 1000000000 (or null for no limit).");
        assertThat(send("PUT", "/v1/keys/" + keyId + "/limits", acmeKey, "{\"requests_per_minute\": 1000000000}").statusCode()).isEqualTo(200);
        assertThat(detail(send("PUT", "/v1/keys/" + keyId + "/limits", acmeKey, "{\"tokens\": 5}"))).contains("tokens is not a limit");
        assertThat(send("PUT", "/v1/keys/" + keyId + "/limits", scoped, "{}").statusCode()).isEqualTo(403);
        assertThat(send("PUT", "/v1/keys/" + keyId + "/limits", globexKey, "{}").statusCode()).isEqualTo(404);

        HttpResponse<String> rules = send("PUT", "/v1/instances/" + instance + "/session-limits", acmeKey,
                "{\"rules\": [{\"session_prefix\": \"user-\", \"tokens_per_month\": 5000}, {\"requests_per_minute\": 30}]}");
        assertThat(rules.statusCode()).as(rules.body()).isEqualTo(200);
        JsonNode read = JSON.readTree(send("GET", "/v1/instances/" + instance + "/session-limits", acmeKey, null).body());
        assertThat(read.path("rules")).hasSize(2);
        assertThat(detail(send("PUT", "/v1/instances/" + instance + "/session-limits", acmeKey, "{\"rules\": [{\"session_prefix\": \"x\"}]}")))
                .contains("needs tokens_per_day, tokens_per_month or requests_per_minute");
        assertThat(send("PUT", "/v1/instances/" + instance + "/session-limits", acmeKey, "{}").statusCode()).isEqualTo(422);
        assertThat(send("GET", "/v1/instances/" + instance + "/session-limits", globexKey, null).statusCode()).isEqualTo(404);
        assertThat(send("GET", "/v1/instances/" + instance + "/session-limits", scoped, null).statusCode()).isEqualTo(403);

        JsonNode usage = JSON.readTree(send("GET", "/v1/instances/" + instance + "/usage", acmeKey, null).body());
        assertThat(usage.path("model").toString()).isEqualTo("{\"requests\":0,\"input_tokens\":0,\"output_tokens\":0,"
                + "\"cached_input_tokens\":0,\"total_tokens\":0,\"by_provider\":[]}");
    }
}
