package chowder.bootstrap;

import static chowder.bootstrap.RunningChowder.JSON;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The organization commands against a running server's admin API ({@code CHOWDER_URL}), and the same commands on the store. */
class AdminCommandsTest {
    private static final String ADMIN_TOKEN = "admin-" + "0123456789abcdef0123456789abcdef";

    @TempDir
    Path dataDir;

    @Test
    void withChowderUrlTheCommandsAdministerOrganizationsThroughTheRunningServer() throws Exception {
        try (RunningChowder server = new RunningChowder(dataDir, Map.of("CHOWDER_ADMIN_TOKEN", ADMIN_TOKEN))) {
            // No data directory: the commands must not need (nor open) the database.
            Map<String, String> remote = Map.of("CHOWDER_URL", "http://127.0.0.1:" + server.port(), "CHOWDER_ADMIN_TOKEN", ADMIN_TOKEN);
            JsonNode created = JSON.readTree(CommandLineTest.run(remote, "org", "create", "--name", "Acme"));
            String orgId = created.path("organization").path("id").asText();
            String key = created.path("api_key").asText();
            assertThat(created.path("organization").path("suspended").asBoolean(true)).isFalse();
            assertThat(server.send("GET", "/v1/organization", key, null).statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(CommandLineTest.run(remote, "org", "list")).findValuesAsText("name")).containsExactly("Acme");

            assertThat(JSON.readTree(CommandLineTest.run(remote, "org", "rename", "--org", orgId, "--name", "Acme Corp")).path("name").asText())
                    .isEqualTo("Acme Corp");
            JsonNode plan = JSON.readTree(CommandLineTest.run(remote, "org", "plan", "--org", orgId, "--tier", "team", "--instance-limit", "3",
                    "--tokens-per-day", "5000", "--operator-model-keys", "no"));
            assertThat(plan.path("instance_limit").asInt()).isEqualTo(3);
            assertThat(plan.path("operator_model_keys").asBoolean(true)).isFalse();
            JsonNode shown = JSON.readTree(server.send("GET", "/v1/organization", key, null).body());
            assertThat(shown.path("name").asText()).isEqualTo("Acme Corp");
            assertThat(shown.path("subscription_tier").asText()).isEqualTo("team");
            assertThat(shown.at("/limits/tokens_per_day").asLong()).isEqualTo(5000);
            // What is not given stays; "default" and "none" clear.
            JsonNode cleared = JSON.readTree(CommandLineTest.run(remote, "org", "plan", "--org", orgId, "--instance-limit", "default",
                    "--tokens-per-day", "none"));
            assertThat(cleared.path("instance_limit").isNull()).isTrue();
            assertThat(cleared.at("/limits/tokens_per_day").isNull()).isTrue();
            assertThat(cleared.path("subscription_tier").asText()).isEqualTo("team");

            String second = JSON.readTree(CommandLineTest.run(remote, "org", "key", "--org", orgId, "--name", "ops")).path("raw_key").asText();
            assertThat(second).startsWith("chd_org_");
            assertThat(server.send("GET", "/v1/instances", second, null).statusCode()).isEqualTo(200);

            assertThat(JSON.readTree(CommandLineTest.run(remote, "org", "suspend", "--org", orgId)).path("suspended").asBoolean()).isTrue();
            var refused = server.send("GET", "/v1/instances", key, null);
            assertThat(refused.statusCode()).isEqualTo(403);
            assertThat(refused.body()).contains("suspended");
            assertThat(JSON.readTree(CommandLineTest.run(remote, "org", "show", "--org", orgId)).path("suspended").asBoolean()).isTrue();
            CommandLineTest.run(remote, "org", "resume", "--org", orgId);
            assertThat(server.send("GET", "/v1/instances", key, null).statusCode()).isEqualTo(200);

            assertThat(failure(remote, 1, "org", "show", "--org", UUID.randomUUID().toString())).contains("not found", "(HTTP 404)");
            Map<String, String> wrongToken = Map.of("CHOWDER_URL", "http://127.0.0.1:" + server.port(), "CHOWDER_ADMIN_TOKEN", "x".repeat(40));
            assertThat(failure(wrongToken, 1, "org", "list")).contains("Invalid admin token.", "(HTTP 401)").doesNotContain("x".repeat(40));
        }
    }

    @Test
    void aServerWithoutAnAdminTokenOrAnUnreachableOneIsNamedAndNothingIsDoneOnTheStore() throws Exception {
        try (RunningChowder server = new RunningChowder(dataDir, Map.of())) {
            String url = "http://127.0.0.1:" + server.port();
            assertThat(failure(Map.of("CHOWDER_URL", url, "CHOWDER_ADMIN_TOKEN", ADMIN_TOKEN), 1, "org", "create", "--name", "Acme"))
                    .contains("has no admin API", "CHOWDER_ADMIN_TOKEN");
            assertThat(failure(Map.of("CHOWDER_URL", url, "CHOWDER_DATA_DIR", dataDir.toString()), 2, "org", "list"))
                    .contains("configuration error", "CHOWDER_URL is set", "CHOWDER_ADMIN_TOKEN");
            assertThat(failure(Map.of("CHOWDER_URL", "ftp://example", "CHOWDER_ADMIN_TOKEN", ADMIN_TOKEN), 2, "org", "list"))
                    .contains("CHOWDER_URL must be the server's base URL");
            assertThat(failure(Map.of("CHOWDER_URL", "http://127.0.0.1:" + chowder.testing.LoopbackPorts.free(), "CHOWDER_ADMIN_TOKEN", ADMIN_TOKEN),
                    1, "org", "list")).contains("cannot reach CHOWDER_URL");
            // Nothing was created on the store by any of these.
            assertThat(JSON.readTree(CommandLineTest.run(Map.of("CHOWDER_DATA_DIR", dataDir.toString()), "org", "list"))).isEmpty();
        }
    }

    @Test
    void theTokenIsNeverSentInTheClearAcrossTheNetworkNorFollowsARedirect() throws Exception {
        assertThat(failure(Map.of("CHOWDER_URL", "http://chowder.example.com:8080", "CHOWDER_ADMIN_TOKEN", ADMIN_TOKEN), 2, "org", "list"))
                .contains("plain http to chowder.example.com", "https").doesNotContain(ADMIN_TOKEN);
        assertThat(failure(Map.of("CHOWDER_URL", "https://ops:hunter2@chowder.example.com", "CHOWDER_ADMIN_TOKEN", ADMIN_TOKEN), 2, "org", "list"))
                .contains("must not carry a user name or password").doesNotContain("hunter2");

        // A server that redirects elsewhere: the CLI stops there, and the target never hears of the token.
        java.util.concurrent.atomic.AtomicInteger reached = new java.util.concurrent.atomic.AtomicInteger();
        com.sun.net.httpserver.HttpServer target = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        target.createContext("/", exchange -> {
            reached.incrementAndGet();
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        com.sun.net.httpserver.HttpServer redirecting = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        redirecting.createContext("/", exchange -> {
            exchange.getResponseHeaders().add("Location", "http://127.0.0.1:" + target.getAddress().getPort() + exchange.getRequestURI());
            exchange.sendResponseHeaders(307, -1);
            exchange.close();
        });
        target.start();
        redirecting.start();
        try {
            assertThat(failure(Map.of("CHOWDER_URL", "http://127.0.0.1:" + redirecting.getAddress().getPort(), "CHOWDER_ADMIN_TOKEN", ADMIN_TOKEN),
                    1, "org", "list")).contains("redirected", "(HTTP 307)", "redirects are not followed").doesNotContain(ADMIN_TOKEN);
            assertThat(reached).hasValue(0);
        } finally {
            redirecting.stop(0);
            target.stop(0);
        }
    }

    @Test
    void withoutChowderUrlTheSameCommandsWorkOnTheStore() throws Exception {
        new RunningChowder(dataDir, Map.of()).close();
        Map<String, String> local = Map.of("CHOWDER_DATA_DIR", dataDir.toString());
        JsonNode created = JSON.readTree(CommandLineTest.run(local, "org", "create", "--name", "Initech"));
        String orgId = created.path("organization").path("id").asText();
        String key = created.path("api_key").asText();
        CommandLineTest.run(local, "org", "rename", "--org", orgId, "--name", "Initrode");
        String second = JSON.readTree(CommandLineTest.run(local, "org", "key", "--org", orgId)).path("raw_key").asText();
        JsonNode suspended = JSON.readTree(CommandLineTest.run(local, "org", "suspend", "--org", orgId));
        assertThat(suspended.path("suspended").asBoolean()).isTrue();
        assertThat(suspended.path("suspended_at").asText()).isNotEmpty();
        assertThat(JSON.readTree(CommandLineTest.run(local, "org", "list")).get(0).path("name").asText()).isEqualTo("Initrode");

        try (RunningChowder server = new RunningChowder(dataDir, Map.of())) {
            assertThat(server.send("GET", "/v1/instances", key, null).statusCode()).isEqualTo(403);
            assertThat(server.send("GET", "/v1/instances", second, null).statusCode()).isEqualTo(403);
        }
        assertThat(JSON.readTree(CommandLineTest.run(local, "org", "resume", "--org", orgId)).path("suspended").asBoolean(true)).isFalse();
        try (RunningChowder server = new RunningChowder(dataDir, Map.of())) {
            assertThat(server.send("GET", "/v1/instances", second, null).statusCode()).isEqualTo(200);
        }
    }

    private static String failure(Map<String, String> env, int exit, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        assertThat(Main.run(args, env, new PrintWriter(out), new PrintWriter(err))).as(String.join(" ", args) + ": " + err).isEqualTo(exit);
        assertThat(out.toString()).isEmpty();
        return err.toString();
    }
}
