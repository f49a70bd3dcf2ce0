package chowder.adapter.http.organizations;

import static org.assertj.core.api.Assertions.assertThat;

import chowder.adapter.http.ApiTest;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The organization endpoints: what the organization object shows, and its updates. */
class OrganizationRoutesTest extends ApiTest {
    @Test
    void theOrganizationShowsTheProvidersItHoldsKeysForAndNeverAKey() throws Exception {
        HttpResponse<String> patched = send("PATCH", "/v1/organization", acmeKey,
                "{\"model_api_keys\": {\"openai\": \"sk-acme-openai-secret\", \"anthropic\": \"sk-acme-anthropic-secret\"}}");
        assertThat(patched.statusCode()).isEqualTo(200);
        assertThat(patched.body()).doesNotContain("secret");
        JsonNode organization = JSON.readTree(send("PATCH", "/v1/organization", acmeKey, "{\"name\": \"Acme Corp\", \"model_api_keys\": {\"openai\": \"\"}}").body());
        assertThat(organization.path("name").asText()).isEqualTo("Acme Corp");
        assertThat(organization.path("model_providers").toString()).isEqualTo("[\"anthropic\"]");
        assertThat(organization.path("subscription_tier").asText()).isEqualTo("self-hosted");
        assertThat(organization.path("instance_limit").asInt()).isEqualTo(3);
        assertThat(organization.path("instance_count").asInt()).isZero();
        assertThat(organization.path("limits").toString()).isEqualTo("{\"tokens_per_day\":null,\"tokens_per_month\":null,\"requests_per_minute\":null}");
        assertThat(JSON.readTree(send("GET", "/v1/organization", globexKey, null).body()).path("model_providers").size()).isZero();

        HttpResponse<String> unknown = send("PATCH", "/v1/organization", acmeKey, "{\"model_api_keys\": {\"mistral\": \"sk-mistral-secret\"}}");
        assertThat(unknown.statusCode()).isEqualTo(422);
        assertThat(detail(unknown)).startsWith("model_api_keys: unknown provider 'mistral'").doesNotContain("secret");
        assertThat(send("PATCH", "/v1/organization", acmeKey, "{\"model_api_keys\": {\"openai\": 42}}").statusCode()).isEqualTo(422);
        assertThat(send("PATCH", "/v1/organization", acmeKey, "{\"model_api_keys\": [\"sk\"]}").statusCode()).isEqualTo(422);

        send("POST", "/v1/instances", acmeKey, "{\"name\": \"bot\", \"gateway_url\": \"http://10.1.1.1:1\", \"gateway_token\": \"t\"}");
        JsonNode subscription = JSON.readTree(send("GET", "/v1/subscription", acmeKey, null).body());
        assertThat(subscription.toString()).isEqualTo("{\"tier\":\"self-hosted\",\"instance_limit\":3,\"instance_count\":1,"
                + "\"stripe_customer_id\":null,\"stripe_subscription_id\":null}");
        for (String billing : List.of("/v1/subscription/checkout", "/v1/subscription/portal")) {
            HttpResponse<String> answer = send("POST", billing, acmeKey, "{}");
            assertThat(answer.statusCode()).isEqualTo(404);
            assertThat(detail(answer)).startsWith("Billing is not enabled on this Chowder");
            assertThat(send("POST", billing, null, "{}").statusCode()).isEqualTo(401);
        }
    }
}
