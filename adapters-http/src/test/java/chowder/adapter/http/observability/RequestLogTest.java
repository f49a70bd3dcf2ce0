package chowder.adapter.http.observability;

import static org.assertj.core.api.Assertions.assertThat;

import chowder.adapter.http.ApiTest;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The access log line and the request metric of requests answered by Javalin and by the responses relay: the same
 * fields, labels and instance, also for a request refused before its instance was looked at.
 */
class RequestLogTest extends ApiTest {
    @RegisterExtension
    final AccessLines lines = new AccessLines();

    @Test
    void aRefusedRelayRequestNamesItsInstanceAsAJavalinOneDoes() throws Exception {
        String instance = UUID.randomUUID().toString();
        assertThat(send("POST", "/v1/instances/" + instance + "/responses", null, "{\"input\":\"x\"}").statusCode()).isEqualTo(401);
        assertThat(send("GET", "/v1/instances/" + instance.toUpperCase(java.util.Locale.ROOT), null, null).statusCode()).isEqualTo(401);
        assertThat(send("POST", "/v1/instances/not-an-id/session/s/responses", acmeKey, "{\"input\":\"x\"}").statusCode()).isEqualTo(404);

        List<JsonNode> logged = lines.json();
        assertThat(logged).hasSize(3);
        assertThat(logged.get(0).path("route").asText()).isEqualTo("/v1/instances/{id}/responses");
        assertThat(logged.get(0).path("status").asInt()).isEqualTo(401);
        assertThat(logged.get(0).path("instance_id").asText()).isEqualTo(instance);
        assertThat(logged.get(0).has("organization_id")).isFalse();
        // The path's spelling of an id is not logged: its canonical form is.
        assertThat(logged.get(1).path("route").asText()).isEqualTo("/v1/instances/{id}");
        assertThat(logged.get(1).path("instance_id").asText()).isEqualTo(instance);
        assertThat(logged.get(2).path("route").asText()).isEqualTo("/v1/instances/{id}/session/{session_id}/responses");
        assertThat(logged.get(2).has("instance_id")).isFalse();
        assertThat(logged.get(2).has("organization_id")).isTrue();
    }

    @Test
    void relayAndJavalinRequestsAreCountedUnderOneMetricByMethodRouteAndStatus() throws Exception {
        String instance = register(acmeKey);
        send("POST", "/v1/instances/" + instance + "/responses", acmeKey, "{\"input\":\"x\"}");
        send("POST", "/v1/instances/" + instance + "/responses", acmeKey, "{\"input\":\"x\"}");
        send("GET", "/v1/instances/" + instance, acmeKey, null);
        send("GET", "/v1/nowhere", acmeKey, null);

        assertThat(count("POST", "/v1/instances/{id}/responses", "200")).isEqualTo(2);
        assertThat(count("GET", "/v1/instances/{id}", "200")).isEqualTo(1);
        assertThat(count("POST", "/v1/instances", "201")).isEqualTo(1);
        assertThat(count("GET", HttpMetrics.UNMATCHED, "404")).isEqualTo(1);
    }

    private long count(String method, String route, String status) {
        var timer = api.registry.find(HttpMetrics.METRIC).tag("method", method).tag("route", route).tag("status", status).timer();
        return timer == null ? 0 : timer.count();
    }
}
