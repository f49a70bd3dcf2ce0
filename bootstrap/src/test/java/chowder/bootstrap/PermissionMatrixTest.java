package chowder.bootstrap;

import static chowder.bootstrap.RunningChowder.JSON;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import chowder.testing.FakeOpenClawGateway;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Every route × every kind of key, through the real server and store: the expected status of each
 * pair is the table below. Org-key-only routes answer 403 to scoped keys; an instance a scoped key was
 * not granted, like another organization's, is 404. Afterwards no raw key may be found in the
 * database files or in any log line.
 */
class PermissionMatrixTest {
    private static final List<String> KEYS = List.of("org", "with", "without", "otherInstance", "foreign", "expired", "revoked", "malformed");

    // route                                       org  with without otherInst foreign expired revoked malformed
    private static final Object[][] MATRIX = {
            {"GET /v1/organization", 200, 403, 403, 403, 200, 401, 401, 401},
            {"PATCH /v1/organization", 200, 403, 403, 403, 200, 401, 401, 401},
            {"POST /v1/keys", 201, 403, 403, 403, 422, 401, 401, 401},
            {"GET /v1/keys", 200, 403, 403, 403, 200, 401, 401, 401},
            {"GET /v1/keys/{key}", 200, 403, 403, 403, 404, 401, 401, 401},
            // Limits (extensions): a key's are the organization's to set; an instance's session limits need configure.
            {"GET /v1/keys/{key}/limits", 200, 403, 403, 403, 404, 401, 401, 401},
            {"PUT /v1/keys/{key}/limits", 200, 403, 403, 403, 404, 401, 401, 401},
            {"GET /v1/subscription", 200, 403, 403, 403, 200, 401, 401, 401},
            // Billing is not part of a self-hosted Chowder: 404, but only for a key that may ask.
            {"POST /v1/subscription/checkout", 404, 403, 403, 403, 404, 401, 401, 401},
            {"POST /v1/subscription/portal", 404, 403, 403, 403, 404, 401, 401, 401},
            {"POST /v1/instances", 201, 403, 403, 403, 201, 401, 401, 401},
            {"GET /v1/instances", 200, 403, 403, 403, 200, 401, 401, 401},
            {"GET /v1/instances/{target}", 200, 200, 403, 404, 404, 401, 401, 401},
            {"PATCH /v1/instances/{target}", 200, 200, 403, 404, 404, 401, 401, 401},
            {"GET /v1/instances/{target}/status", 200, 200, 403, 404, 404, 401, 401, 401},
            {"POST /v1/instances/{target}/responses", 200, 200, 403, 404, 404, 401, 401, 401},
            {"POST /v1/instances/{target}/session/user-42/responses", 200, 200, 403, 404, 404, 401, 401, 401},
            // Workspace files: registered gateways have no workspace here (404), but only once the key may ask.
            {"GET /v1/instances/{target}/files?path=", 404, 404, 403, 404, 404, 401, 401, 401},
            {"GET /v1/instances/{target}/files/content?path=notes.md", 404, 404, 403, 404, 404, 401, 401, 401},
            {"PUT /v1/instances/{target}/files/content", 404, 404, 403, 404, 404, 401, 401, 401},
            {"GET /v1/instances/{target}/files/download?path=notes.md", 404, 404, 403, 404, 404, 401, 401, 401},
            {"POST /v1/instances/{target}/files/upload", 404, 404, 403, 404, 404, 401, 401, 401},
            {"POST /v1/instances/{target}/files/move", 404, 404, 403, 404, 404, 401, 401, 401},
            {"DELETE /v1/instances/{target}/files?path=notes.md", 404, 404, 403, 404, 404, 401, 401, 401},
            // Skills (permission configure): a registered gateway has none (409), but only once the key may ask. A key with
            // configure is let through, as the organization key is; their 200 on a provisioned instance is in SkillRoutesTest.
            {"GET /v1/instances/{target}/skills", 409, 409, 403, 404, 404, 401, 401, 401},
            {"GET /v1/instances/{target}/skills/weather", 409, 409, 403, 404, 404, 401, 401, 401},
            {"POST /v1/instances/{target}/skills/install", 409, 409, 403, 404, 404, 401, 401, 401},
            {"PATCH /v1/instances/{target}/skills/weather", 409, 409, 403, 404, 404, 401, 401, 401},
            {"DELETE /v1/instances/{target}/skills/weather", 409, 409, 403, 404, 404, 401, 401, 401},
            // Channels (permission channels, which the "without" key has; its 403 is in ChannelRoutesTest): a registered gateway
            // has none here (409). A channel's catalog needs no key, and ignores one.
            {"GET /v1/instances/{target}/channels", 409, 409, 409, 404, 404, 401, 401, 401},
            {"GET /v1/instances/{target}/channels/telegram", 200, 200, 200, 200, 200, 200, 200, 200},
            {"POST /v1/instances/{target}/channels/telegram/connect", 409, 409, 409, 404, 404, 401, 401, 401},
            {"GET /v1/instances/{target}/channels/telegram/status", 409, 409, 409, 404, 404, 401, 401, 401},
            {"POST /v1/instances/{target}/channels/telegram/pair", 409, 409, 409, 404, 404, 401, 401, 401},
            {"POST /v1/instances/{target}/channels/telegram/disconnect", 409, 409, 409, 404, 404, 401, 401, 401},
            {"GET /v1/instances/{target}/channels/telegram/pairing", 409, 409, 409, 404, 404, 401, 401, 401},
            {"GET /v1/instances/{target}/session-limits", 200, 200, 403, 404, 404, 401, 401, 401},
            {"PUT /v1/instances/{target}/session-limits", 200, 200, 403, 404, 404, 401, 401, 401},
            {"POST /v1/instances/{victim}/stop", 200, 403, 403, 403, 404, 401, 401, 401},
            {"POST /v1/instances/{victim}/start", 200, 403, 403, 403, 404, 401, 401, 401},
            {"DELETE /v1/instances/{victim}", 204, 403, 403, 403, 404, 401, 401, 401},
            {"DELETE /v1/keys/{victimKey}", 204, 403, 403, 403, 404, 401, 401, 401},
    };

    private static final String BOUNDARY = "matrix-boundary";
    private static final String UPLOAD_FORM = "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"path\"\r\n\r\nnotes.md\r\n"
            + "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"notes.md\"\r\n\r\nhi\r\n--" + BOUNDARY + "--\r\n";

    @TempDir
    Path dataDir;

    @Test
    void everyRouteAnswersEveryKindOfKeyAsTheTableSays() throws Exception {
        ListAppender<ILoggingEvent> logs = captureAllLogs();
        List<String> rawKeys = new ArrayList<>();
        try (FakeOpenClawGateway gateway = FakeOpenClawGateway.start("gw-token");
                RunningChowder chowder = new RunningChowder(dataDir, Map.of())) {
            String org = chowder.createOrganization("Acme").path("api_key").asText();
            String foreign = chowder.createOrganization("Globex").path("api_key").asText();
            String target = chowder.registerInstance(org, gateway.baseUrl(), "gw-token");
            String victim = chowder.registerInstance(org, gateway.baseUrl(), "gw-token");
            String elsewhere = chowder.registerInstance(org, gateway.baseUrl(), "gw-token");
            List<String> all = List.of("read", "interact", "configure", "files", "channels");

            Map<String, String> keys = new LinkedHashMap<>();
            keys.put("org", org);
            keys.put("with", createKey(chowder, org, List.of(target, victim), all, null).rawKey);
            keys.put("without", createKey(chowder, org, List.of(target, victim), List.of("channels"), null).rawKey);
            keys.put("otherInstance", createKey(chowder, org, List.of(elsewhere), all, null).rawKey);
            keys.put("foreign", foreign);
            // Far enough ahead to be accepted as a future expiry even by a slow server, then waited out below.
            Instant expiry = Instant.now().plusSeconds(3);
            keys.put("expired", createKey(chowder, org, List.of(target), all, expiry.toString()).rawKey);
            CreatedKey revoked = createKey(chowder, org, List.of(target), all, null);
            assertThat(chowder.send("DELETE", "/v1/keys/" + revoked.id, org, null).statusCode()).isEqualTo(204);
            keys.put("revoked", revoked.rawKey);
            keys.put("malformed", "chd_org_" + "x".repeat(36));
            CreatedKey victimKey = createKey(chowder, org, List.of(target), List.of("read"), null);
            rawKeys.addAll(keys.values());
            rawKeys.add(victimKey.rawKey);
            Thread.sleep(Math.max(0, Duration.between(Instant.now(), expiry.plusMillis(200)).toMillis()));

            Map<String, String> ids = Map.of("{target}", target, "{victim}", victim, "{key}", victimKey.id, "{victimKey}", victimKey.id);
            List<String> mismatches = new ArrayList<>();
            for (Object[] row : MATRIX) {
                String[] route = ((String) row[0]).split(" ", 2);
                String path = route[1];
                for (Map.Entry<String, String> id : ids.entrySet()) {
                    path = path.replace(id.getKey(), id.getValue());
                }
                // The organization key goes last: its successes change state (stop, delete) the others must not see yet.
                for (int column = KEYS.size() - 1; column >= 0; column--) {
                    int keyColumn = (column + 1) % KEYS.size();
                    String keyName = KEYS.get(keyColumn);
                    int expected = (Integer) row[keyColumn + 1];
                    HttpResponse<String> response = chowder.send(route[0], path, keys.get(keyName), body(route[0], path, target),
                            path.endsWith("/files/upload") ? Map.of("Content-Type", "multipart/form-data; boundary=" + BOUNDARY) : Map.of());
                    if (response.statusCode() != expected) {
                        mismatches.add(row[0] + " with " + keyName + " key: expected " + expected + ", got " + response.statusCode()
                                + " " + response.body());
                    }
                }
            }
            assertThat(mismatches).isEmpty();
            chowder.close();
            assertNoRawKeyIn(dataDir, rawKeys);
        } finally {
            stopCapturing(logs);
        }
        for (ILoggingEvent event : logs.list) {
            String line = event.getFormattedMessage() + (event.getThrowableProxy() == null ? "" : event.getThrowableProxy().getMessage());
            for (String raw : rawKeys) {
                assertThat(line).doesNotContain(raw.substring(8));
            }
        }
        assertThat(logs.list).isNotEmpty();
    }

    private static String body(String method, String path, String target) {
        if (path.endsWith("/responses")) {
            return "{\"model\":\"claude-sonnet-4-20250514\",\"input\":\"hi\"}";
        }
        if (path.endsWith("/files/content") && method.equals("PUT")) {
            return "{\"path\":\"notes.md\",\"content\":\"hi\"}";
        }
        if (path.endsWith("/files/upload")) {
            return UPLOAD_FORM;
        }
        if (path.endsWith("/files/move")) {
            return "{\"source\":\"notes.md\",\"destination\":\"moved.md\"}";
        }
        if (path.endsWith("/skills/install")) {
            return "{\"slug\":\"weather\"}";
        }
        if (path.endsWith("/channels/telegram/connect")) {
            return "{\"config\":{\"token\":\"123:abc\"}}";
        }
        if (path.endsWith("/channels/telegram/pair")) {
            return "{\"code\":\"ABCD1234\"}";
        }
        if (path.endsWith("/session-limits")) {
            return "{\"rules\":[{\"session_prefix\":\"user-\",\"requests_per_minute\":100}]}";
        }
        if (path.endsWith("/limits")) {
            return "{\"requests_per_minute\":100}";
        }
        if (path.contains("/skills/") && method.equals("PATCH")) {
            return "{\"enabled\":false}";
        }
        if (method.equals("PATCH")) {
            return "{\"name\":\"renamed\"}";
        }
        if (method.equals("POST") && path.equals("/v1/keys")) {
            return JSON.createObjectNode().put("name", "made in the matrix")
                    .set("instance_ids", JSON.createArrayNode().add(target)).toString().replace("}", ",\"permissions\":[\"read\"]}");
        }
        if (method.equals("POST") && path.equals("/v1/instances")) {
            return "{\"name\":\"new\",\"gateway_url\":\"http://127.0.0.1:9\",\"gateway_token\":\"t\"}";
        }
        return method.equals("POST") || method.equals("PATCH") ? "{}" : null;
    }

    private record CreatedKey(String id, String rawKey) {}

    private static CreatedKey createKey(RunningChowder chowder, String orgKey, List<String> instances, List<String> permissions, String expiresAt)
            throws Exception {
        ObjectNode body = JSON.createObjectNode().put("name", "scoped");
        instances.forEach(body.putArray("instance_ids")::add);
        permissions.forEach(body.putArray("permissions")::add);
        if (expiresAt != null) {
            body.put("expires_at", expiresAt);
        }
        HttpResponse<String> created = chowder.send("POST", "/v1/keys", orgKey, body.toString());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        var json = JSON.readTree(created.body());
        return new CreatedKey(json.path("id").asText(), json.path("raw_key").asText());
    }

    private static void assertNoRawKeyIn(Path dataDir, List<String> rawKeys) throws Exception {
        try (Stream<Path> files = Files.walk(dataDir)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String content = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
                for (String raw : rawKeys) {
                    assertThat(content).as(file.toString()).doesNotContain(raw.substring(8));
                }
            }
        }
    }

    private static ListAppender<ILoggingEvent> captureAllLogs() {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        root.addAppender(appender);
        ((Logger) LoggerFactory.getLogger("chowder")).setLevel(Level.TRACE);
        return appender;
    }

    private static void stopCapturing(ListAppender<ILoggingEvent> appender) {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.detachAppender(appender);
        ((Logger) LoggerFactory.getLogger("chowder")).setLevel(null);
    }
}
