package chowder.bootstrap;

import static chowder.bootstrap.RunningChowder.JSON;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import chowder.testing.FakeOpenClawGateway;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The operator admin API through the real server, as an operator walks it; the token in no log line and no answer. */
class AdminApiEndToEndTest {
    private static final String TOKEN = "operator-admin-token-never-logged-0123456789";
    private static final String MESSAGE = "{\"model\": \"m\", \"input\": \"hi\"}";

    @TempDir
    Path dataDir;
    @RegisterExtension
    final CapturedLogs captured = new CapturedLogs();

    @Test
    void anOperatorCreatesRenamesPlansKeysMetersSuspendsAndResumesAnOrganization() throws Exception {
        try (FakeOpenClawGateway gateway = FakeOpenClawGateway.start("t");
                RunningChowder chowder = new RunningChowder(dataDir, Map.of("CHOWDER_ADMIN_TOKEN", TOKEN))) {
            HttpResponse<String> created = chowder.send("POST", "/v1/admin/organizations", TOKEN, "{\"name\": \"Acme\"}");
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            String key = JSON.readTree(created.body()).path("api_key").asText();
            String id = JSON.readTree(created.body()).path("organization").path("id").asText();
            assertThat(chowder.send("GET", "/v1/organization", key, null).statusCode()).isEqualTo(200);
            String globex = chowder.createOrganization("Globex").path("api_key").asText();

            assertThat(chowder.send("PATCH", "/v1/admin/organizations/" + id, TOKEN, "{\"name\": \"Acme Corp\"}").statusCode()).isEqualTo(200);
            HttpResponse<String> plan = chowder.send("PATCH", "/v1/admin/organizations/" + id + "/plan", TOKEN,
                    "{\"subscription_tier\": \"team\", \"limits\": {\"tokens_per_month\": 500000}}");
            assertThat(plan.statusCode()).as(plan.body()).isEqualTo(200);
            JsonNode own = JSON.readTree(chowder.send("GET", "/v1/organization", key, null).body());
            assertThat(own.path("name").asText()).isEqualTo("Acme Corp");
            assertThat(own.path("subscription_tier").asText()).isEqualTo("team");
            assertThat(own.path("limits").path("tokens_per_month").asLong()).isEqualTo(500_000);

            HttpResponse<String> issued = chowder.send("POST", "/v1/admin/organizations/" + id + "/keys", TOKEN, "{\"name\": \"ops\"}");
            assertThat(issued.statusCode()).as(issued.body()).isEqualTo(201);
            String second = JSON.readTree(issued.body()).path("raw_key").asText();
            String instance = chowder.registerInstance(second, gateway.baseUrl(), "t");
            assertThat(chowder.send("POST", "/v1/instances/" + instance + "/responses", key, MESSAGE).statusCode()).isEqualTo(200);
            JsonNode usage = JSON.readTree(chowder.send("GET", "/v1/admin/organizations/" + id + "/usage", TOKEN, null).body());
            assertThat(usage.path("turns").asLong()).isEqualTo(1);
            assertThat(usage.path("by_instance").get(0).path("instance_id").asText()).isEqualTo(instance);

            assertThat(chowder.send("PATCH", "/v1/admin/organizations/" + id, TOKEN, "{\"suspended\": true}").statusCode()).isEqualTo(200);
            for (String suspendedKey : new String[] {key, second}) {
                HttpResponse<String> refused = chowder.send("POST", "/v1/instances/" + instance + "/responses", suspendedKey, MESSAGE);
                assertThat(refused.statusCode()).isEqualTo(403);
                assertThat(JSON.readTree(refused.body()).path("detail").asText()).isEqualTo("This organization is suspended by its operator.");
                assertThat(chowder.send("GET", "/v1/instances", suspendedKey, null).statusCode()).isEqualTo(403);
            }
            assertThat(chowder.send("GET", "/v1/instances", globex, null).statusCode()).isEqualTo(200);
            assertThat(gateway.received()).hasSize(1);
            assertThat(chowder.send("PATCH", "/v1/admin/organizations/" + id, TOKEN, "{\"suspended\": false}").statusCode()).isEqualTo(200);
            assertThat(chowder.send("POST", "/v1/instances/" + instance + "/responses", key, MESSAGE).statusCode()).isEqualTo(200);
            assertThat(chowder.send("GET", "/v1/instances", second, null).statusCode()).isEqualTo(200);

            // Misuses of the token answer without it, and no log line ever holds it.
            HttpResponse<String> onTenantRoute = chowder.send("GET", "/v1/instances", TOKEN, null);
            HttpResponse<String> nearMiss = chowder.send("GET", "/v1/admin/organizations", TOKEN + "0", null);
            assertThat(onTenantRoute.statusCode()).isEqualTo(401);
            assertThat(nearMiss.statusCode()).isEqualTo(401);
            assertThat(onTenantRoute.body() + nearMiss.body()).doesNotContain(TOKEN.substring(9));
        }
        assertThat(captured.events()).isNotEmpty();
        for (ILoggingEvent event : captured.events()) {
            assertThat(event.getFormattedMessage()).doesNotContain(TOKEN.substring(9));
            for (IThrowableProxy error = event.getThrowableProxy(); error != null; error = error.getCause()) {
                assertThat(String.valueOf(error.getMessage())).doesNotContain(TOKEN.substring(9));
            }
        }
    }

    @Test
    void aTokenShorterThan32CharactersRefusesTheStartNamingTheVariableAndNotTheToken() {
        java.io.StringWriter err = new java.io.StringWriter();
        int exit = Main.run(new String[] {"serve"}, Map.of("CHOWDER_DATA_DIR", dataDir.toString(), "CHOWDER_HTTP_HOST", "127.0.0.1",
                "CHOWDER_HTTP_PORT", "0", "CHOWDER_ADMIN_TOKEN", "short-admin-token-4711"), new java.io.PrintWriter(new java.io.StringWriter(), true),
                new java.io.PrintWriter(err, true));
        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("CHOWDER_ADMIN_TOKEN=(hidden) is invalid: must be at least 32 characters")
                .doesNotContain("short-admin-token-4711");
    }

    @Test
    void withoutTheTokenTheAdminApiIsAPlain404() throws Exception {
        try (RunningChowder chowder = new RunningChowder(dataDir, Map.of())) {
            HttpResponse<String> off = chowder.send("GET", "/v1/admin/organizations", TOKEN, null);
            assertThat(off.statusCode()).isEqualTo(404);
            assertThat(off.body()).isEqualTo("{\"detail\":\"Not found.\"}");
            assertThat(chowder.send("POST", "/v1/admin/organizations", null, "{\"name\": \"Acme\"}").statusCode()).isEqualTo(404);
        }
    }
}
