package chowder.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import chowder.testing.FakeOpenClawGateway;
import chowder.testing.HostNetwork;
import chowder.testing.ScriptedGateway;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /metrics} of the whole application, scraped over HTTP as Prometheus would after real traffic:
 * per-route series by template and status, gateway latency per instance, open streams, JVM meters; and never a
 * session id, key or token in it.
 */
class MetricsEndToEndTest {
    private static final String GATEWAY_TOKEN = "gw-token-that-must-stay-secret";
    private static final String SESSION_ID = "user-7781/private-chat";
    private static final String MESSAGE = "{\"model\":\"claude-sonnet-4-20250514\",\"input\":\"hello\"}";
    private static final String METRICS_TOKEN = "scrape-token-0123456789";

    @TempDir
    Path dataDir;

    @Test
    void aScrapeAfterTrafficShowsRouteTemplatesStatusesGatewayLatencyAndNoSecret() throws Exception {
        try (FakeOpenClawGateway gateway = FakeOpenClawGateway.start(GATEWAY_TOKEN);
                // The longest lease: the scrape below expects this node to hold it, also when the machine is busy.
                RunningChowder chowder = new RunningChowder(dataDir, Map.of("CHOWDER_CACHE_LEASE", "3s", "CHOWDER_METRICS_TOKEN", METRICS_TOKEN))) {
            String key = chowder.createOrganization("Acme").path("api_key").asText();
            String instance = chowder.registerInstance(key, gateway.baseUrl(), GATEWAY_TOKEN);
            // The first probe moves the instance to running (a change that drops it from the cache): let it land first.
            awaitRunning(chowder, key, instance);
            String sessionPath = "/v1/instances/" + instance + "/session/" + URLEncoder.encode(SESSION_ID, StandardCharsets.UTF_8) + "/responses";
            for (int i = 0; i < 2; i++) {
                assertThat(chowder.send("POST", sessionPath, key, MESSAGE).statusCode()).isEqualTo(200);
            }
            assertThat(chowder.send("GET", "/v1/instances", null, null).statusCode()).isEqualTo(401);
            assertThat(chowder.send("GET", "/v1/instances/" + instance + "/session/" + SESSION_ID.replace("/", "%2F"), "chd_org_wrong", null)
                    .statusCode()).isEqualTo(401);
            assertThat(chowder.send("GET", "/no/such/route/" + SESSION_ID, key, null).statusCode()).isEqualTo(404);

            HttpResponse<String> scrape = chowder.send("GET", "/metrics", METRICS_TOKEN, null);
            assertThat(scrape.statusCode()).isEqualTo(200);
            assertThat(scrape.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/plain"));
            String metrics = scrape.body();

            assertThat(value(metrics, "http_server_requests_seconds_count",
                    "method=\"POST\"", "route=\"/v1/instances/{id}/session/{session_id}/responses\"", "status=\"200\"")).hasValue(2);
            assertThat(value(metrics, "http_server_requests_seconds_bucket",
                    "route=\"/v1/instances/{id}/session/{session_id}/responses\"", "status=\"200\"", "le=\"+Inf\"")).hasValue(2);
            assertThat(value(metrics, "http_server_requests_seconds_count", "method=\"GET\"", "route=\"/v1/instances\"", "status=\"401\""))
                    .hasValue(1);
            assertThat(value(metrics, "http_server_requests_seconds_count", "route=\"/v1/instances/{id}/session/{session_id}\"",
                    "status=\"401\"")).hasValue(1);
            assertThat(value(metrics, "http_server_requests_seconds_count", "method=\"GET\"", "route=\"unmatched\"", "status=\"404\""))
                    .hasValue(1);
            assertThat(value(metrics, "http_server_requests_seconds_count", "route=\"/v1/instances\"", "status=\"201\"")).hasValue(1);
            assertThat(value(metrics, "chowder_gateway_latency_seconds_count", "instance=\"" + instance + "\"", "outcome=\"success\""))
                    .hasValue(2);
            assertThat(value(metrics, "chowder_gateway_latency_seconds_sum", "instance=\"" + instance + "\"", "outcome=\"success\"")
                    .orElseThrow()).isPositive();
            assertThat(value(metrics, "chowder_http_open_streams")).hasValue(0);
            // The forwarding path answered from the node's caches (the key on every request, the instance on the second turn).
            assertThat(value(metrics, "cache_gets_total", "cache=\"api_keys\"", "result=\"hit\"").orElseThrow()).isGreaterThanOrEqualTo(2);
            assertThat(value(metrics, "cache_gets_total", "cache=\"instances\"", "result=\"hit\"").orElseThrow()).isGreaterThanOrEqualTo(1);
            assertThat(value(metrics, "cache_gets_total", "cache=\"sessions\"", "result=\"miss\"")).isPresent();
            assertThat(value(metrics, "chowder_cache_lease_held")).hasValue(1);
            assertThat(value(metrics, "hikaricp_connections_max", "pool=\"chowder-db\"")).hasValue(10);
            assertThat(value(metrics, "hikaricp_connections_active", "pool=\"chowder-db\"")).isPresent();
            for (String jvm : List.of("jvm_memory_used_bytes", "jvm_threads_live_threads", "jvm_classes_loaded_classes",
                    "process_uptime_seconds", "system_cpu_count", "jvm_gc_memory_allocated_bytes_total")) {
                assertThat(metrics).as(jvm).containsPattern("(?m)^" + jvm + "[{ ]");
            }

            assertThat(metrics).doesNotContain("user-7781").doesNotContain("private-chat").doesNotContain("/no/such")
                    .doesNotContain(key.substring(8)).doesNotContain(GATEWAY_TOKEN).doesNotContain("chd_org_wrong");
        }
    }

    @Test
    void theOpenStreamsGaugeCountsStreamsWhileTheyAreRelayed() throws Exception {
        try (ScriptedGateway gateway = ScriptedGateway.start(ScriptedGateway.events(
                        List.of("event: response.created\ndata: {\"type\":\"response.created\"}\n\n"), Duration.ZERO, true));
                RunningChowder chowder = new RunningChowder(dataDir, Map.of("CHOWDER_METRICS_TOKEN", METRICS_TOKEN))) {
            String key = chowder.createOrganization("Acme").path("api_key").asText();
            String instance = chowder.registerInstance(key, gateway.baseUrl(), GATEWAY_TOKEN);
            HttpClient client = HttpClient.newHttpClient();
            HttpResponse<InputStream> stream = client.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + chowder.port() + "/v1/instances/" + instance + "/responses"))
                    .header("Authorization", "Bearer " + key)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"input\":\"hi\",\"stream\":true}")).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertThat(stream.statusCode()).isEqualTo(200);
            assertThat(stream.headers().firstValue("X-Request-Id")).hasValueSatisfying(id -> assertThat(id).matches("[0-9a-f]{32}"));
            assertThat(stream.body().read()).isEqualTo('e');

            assertThat(value(chowder.send("GET", "/metrics", METRICS_TOKEN, null).body(), "chowder_http_open_streams")).hasValue(1);
            stream.body().close();
            awaitOpenStreams(chowder, 0);
        }
    }

    @Test
    void aMetricsTokenProtectsTheScrapeAndMetricsCanBeTurnedOff() throws Exception {
        try (RunningChowder chowder = new RunningChowder(dataDir.resolve("protected"), Map.of("CHOWDER_METRICS_TOKEN", METRICS_TOKEN))) {
            HttpResponse<String> anonymous = chowder.send("GET", "/metrics", null, null);
            assertThat(anonymous.statusCode()).isEqualTo(401);
            assertThat(anonymous.headers().firstValue("WWW-Authenticate")).contains("Bearer");
            assertThat(chowder.send("GET", "/metrics", METRICS_TOKEN + "x", null).statusCode()).isEqualTo(401);
            HttpResponse<String> scrape = chowder.send("GET", "/metrics", METRICS_TOKEN, null);
            assertThat(scrape.statusCode()).isEqualTo(200);
            assertThat(scrape.body()).contains("jvm_memory_used_bytes").doesNotContain(METRICS_TOKEN);
            assertThat(chowder.send("GET", "/healthz", null, null).statusCode()).isEqualTo(200);
        }
        try (RunningChowder chowder = new RunningChowder(dataDir.resolve("off"), Map.of("CHOWDER_METRICS_ENABLED", "false"))) {
            assertThat(chowder.send("GET", "/metrics", null, null).statusCode()).isEqualTo(404);
        }
    }

    @Test
    void metricsNamingEveryOrganizationsInstancesNeedTheTokenFromEveryPeerLoopbackIncluded() throws Exception {
        try (RunningChowder chowder = new RunningChowder(dataDir.resolve("default"), Map.of())) {
            // Loopback is no proof of a local scraper: a proxy on this host connects from there too.
            HttpResponse<String> local = chowder.send("GET", "/metrics", null, null);
            assertThat(local.statusCode()).isEqualTo(403);
            assertThat(local.body()).contains("CHOWDER_METRICS_TOKEN").doesNotContain("jvm_");
        }
        try (RunningChowder chowder = new RunningChowder(dataDir.resolve("remote-token"), Map.of("CHOWDER_HTTP_HOST", "0.0.0.0",
                "CHOWDER_METRICS_TOKEN", METRICS_TOKEN))) {
            // From this host's network address, as another machine would come.
            HttpResponse<String> remote = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://"
                    + HostNetwork.address().getHostAddress() + ":" + chowder.port() + "/metrics"))
                    .header("Authorization", "Bearer " + METRICS_TOKEN).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(remote.statusCode()).isEqualTo(200);
            assertThat(remote.body()).contains("jvm_memory_used_bytes");
        }
    }

    private static void awaitOpenStreams(RunningChowder chowder, double expected) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        OptionalDouble open = OptionalDouble.empty();
        while (System.nanoTime() < deadline) {
            open = value(chowder.send("GET", "/metrics", METRICS_TOKEN, null).body(), "chowder_http_open_streams");
            if (open.isPresent() && open.getAsDouble() == expected) {
                return;
            }
            Thread.sleep(20);
        }
        assertThat(open).hasValue(expected);
    }

    private static void awaitRunning(RunningChowder chowder, String key, String instance) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (chowder.send("GET", "/v1/instances/" + instance, key, null).body().contains("\"status\":\"running\"")) {
                return;
            }
            Thread.sleep(25);
        }
        throw new AssertionError("the instance never became running");
    }

    /** The value of the one sample of {@code name} whose labels include all of {@code labels} (k="v"). */
    private static OptionalDouble value(String scrape, String name, String... labels) {
        List<String> samples = scrape.lines()
                .filter(line -> line.startsWith(name + "{") || line.startsWith(name + " "))
                .filter(line -> List.of(labels).stream().allMatch(label -> line.contains("{" + label) || line.contains("," + label)))
                .toList();
        assertThat(samples).as(name + " " + List.of(labels)).hasSizeLessThanOrEqualTo(1);
        return samples.isEmpty() ? OptionalDouble.empty()
                : OptionalDouble.of(Double.parseDouble(samples.getFirst().substring(samples.getFirst().lastIndexOf(' ') + 1)));
    }
}
