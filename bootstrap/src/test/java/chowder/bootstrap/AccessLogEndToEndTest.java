package chowder.bootstrap;

import static chowder.bootstrap.RunningChowder.JSON;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import chowder.testing.FakeOpenClawGateway;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The access log of the whole application: one JSON line per request with its id (the client's when sane,
 * returned in {@code X-Request-Id} and passed to the gateway), route template, status, duration, organization
 * and instance; never a key, token, path with a session id or body.
 */
class AccessLogEndToEndTest {
    private static final String GATEWAY_TOKEN = "gw-token-never-logged-4711";
    private static final String BODY_MARKER = "body-text-never-logged";
    private static final Set<String> FIELDS = Set.of("ts", "request_id", "method", "route", "status", "duration_ms",
            "organization_id", "instance_id", "request_bytes");

    @TempDir
    Path dataDir;
    @org.junit.jupiter.api.extension.RegisterExtension
    final CapturedLogs captured = new CapturedLogs();
    private final Logger accessLogger = (Logger) LoggerFactory.getLogger("chowder.access");



    @Test
    void oneLinePerRequestWithItsIdRouteStatusOrganizationAndInstanceAndNoSecret() throws Exception {
        try (FakeOpenClawGateway gateway = FakeOpenClawGateway.start(GATEWAY_TOKEN);
                RunningChowder chowder = new RunningChowder(dataDir, Map.of())) {
            JsonNode organization = chowder.createOrganization("Acme");
            String key = organization.path("api_key").asText();
            String organizationId = organization.path("organization").path("id").asText();
            String instance = chowder.registerInstance(key, gateway.baseUrl(), GATEWAY_TOKEN);
            String message = "{\"model\":\"claude-sonnet-4-20250514\",\"input\":\"" + BODY_MARKER + "\"}";

            HttpResponse<String> answered = send(chowder, "POST", "/v1/instances/" + instance + "/session/user-99%2Fchat/responses", key,
                    message, "client-req-0001");
            HttpResponse<String> junk = send(chowder, "GET", "/v1/instances", null, null, "<script>alert(1)</script>");
            HttpResponse<String> overlong = send(chowder, "GET", "/v1/instances/" + instance, key, null, "a".repeat(129));
            HttpResponse<String> unmatched = send(chowder, "GET", "/v1/nowhere/user-99", key, null, null);
            gateway.failWith(500, "{\"error\":{\"message\":\"boom\"}}", Map.of());
            HttpResponse<String> failed = send(chowder, "POST", "/v1/instances/" + instance + "/responses", key, message, "client-req-0002");
            chowder.close();

            assertThat(answered.statusCode()).isEqualTo(200);
            assertThat(answered.headers().firstValue("X-Request-Id")).contains("client-req-0001");
            assertThat(gateway.received().getFirst().header("x-request-id")).contains("client-req-0001");
            String fresh = "[0-9a-f]{32}";
            assertThat(junk.statusCode()).isEqualTo(401);
            assertThat(junk.headers().firstValue("X-Request-Id")).hasValueSatisfying(id -> assertThat(id).matches(fresh));
            assertThat(overlong.headers().firstValue("X-Request-Id")).hasValueSatisfying(id -> assertThat(id).matches(fresh));
            assertThat(unmatched.statusCode()).isEqualTo(404);
            assertThat(unmatched.headers().firstValue("X-Request-Id")).hasValueSatisfying(id -> assertThat(id).matches(fresh));
            assertThat(failed.statusCode()).isEqualTo(502);
            assertThat(failed.headers().firstValue("X-Request-Id")).contains("client-req-0002");

            List<JsonNode> lines = accessLines();
            // registration, then the five requests above, in order
            assertThat(lines).hasSize(6);
            for (JsonNode line : lines) {
                assertThat(FIELDS).containsAll(iterable(line.fieldNames()));
                assertThat(line.path("duration_ms").asDouble()).isNotNegative();
                assertThat(line.path("ts").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
            }
            assertLine(lines.get(0), "POST", "/v1/instances", 201, organizationId, null);
            assertLine(lines.get(1), "POST", "/v1/instances/{id}/session/{session_id}/responses", 200, organizationId, instance);
            assertThat(lines.get(1).path("request_id").asText()).isEqualTo("client-req-0001");
            assertThat(lines.get(1).path("request_bytes").asLong()).isEqualTo(message.length());
            assertLine(lines.get(2), "GET", "/v1/instances", 401, null, null);
            assertThat(lines.get(2).path("request_id").asText()).isEqualTo(junk.headers().firstValue("X-Request-Id").orElseThrow());
            assertLine(lines.get(3), "GET", "/v1/instances/{id}", 200, organizationId, instance);
            assertThat(lines.get(3).path("request_id").asText()).isEqualTo(overlong.headers().firstValue("X-Request-Id").orElseThrow());
            assertLine(lines.get(4), "GET", "unmatched", 404, organizationId, null);
            assertLine(lines.get(5), "POST", "/v1/instances/{id}/responses", 502, organizationId, instance);

            // The gateway failure's own log line carries the request's id too.
            assertThat(captured.events()).anySatisfy(event -> {
                assertThat(event.getLoggerName()).isNotEqualTo("chowder.access");
                assertThat(event.getFormattedMessage()).contains("failed");
                assertThat(event.getMDCPropertyMap()).containsEntry("request_id", "client-req-0002");
            });
            for (ILoggingEvent event : captured.events()) {
                assertThat(event.getFormattedMessage()).doesNotContain(key.substring(8)).doesNotContain(GATEWAY_TOKEN)
                        .doesNotContain(BODY_MARKER).doesNotContain("user-99").doesNotContain("script");
            }
        }
    }

    private List<JsonNode> accessLines() throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        for (ILoggingEvent event : captured.events()) {
            if (event.getLoggerName().equals(accessLogger.getName())) {
                lines.add(JSON.readTree(event.getFormattedMessage()));
            }
        }
        return lines;
    }

    private static void assertLine(JsonNode line, String method, String route, int status, String organizationId, String instanceId) {
        assertThat(line.path("method").asText()).isEqualTo(method);
        assertThat(line.path("route").asText()).isEqualTo(route);
        assertThat(line.path("status").asInt()).isEqualTo(status);
        assertThat(line.path("organization_id").textValue()).isEqualTo(organizationId);
        assertThat(line.path("instance_id").textValue()).isEqualTo(instanceId);
        assertThat(line.path("request_id").asText()).isNotBlank();
    }

    private static HttpResponse<String> send(RunningChowder chowder, String method, String path, String key, String body, String requestId)
            throws Exception {
        return chowder.send(method, path, key, body, requestId == null ? Map.of() : Map.of("X-Request-Id", requestId));
    }

    private static <T> Iterable<T> iterable(java.util.Iterator<T> iterator) {
        List<T> all = new ArrayList<>();
        iterator.forEachRemaining(all::add);
        return all;
    }
}
