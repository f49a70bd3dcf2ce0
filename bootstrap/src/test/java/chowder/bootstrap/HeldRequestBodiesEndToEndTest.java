package chowder.bootstrap;

import static chowder.bootstrap.RunningChowder.JSON;
import static org.assertj.core.api.Assertions.assertThat;

import chowder.testing.FakeOpenClawGateway;
import chowder.testing.ScriptedGateway;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tenant whose gateway never answers keeps sending large turns: their bodies stay in memory until an answer comes, so
 * beyond its share of CHOWDER_REQUEST_BUFFERED_BYTES_MAX it gets a 503, while another tenant is served; what was held
 * is given back once the answers are written.
 */
class HeldRequestBodiesEndToEndTest {
    private static final String METRICS_TOKEN = "scrape-token-0123456789";
    private static final int LARGE = 700 * 1024;
    // The parts a body of LARGE declared bytes is held in (64, 128, 256 and 252 KiB), and the one byte that shows its end.
    private static final long HELD_PER_BODY = LARGE + 1;

    @TempDir
    Path dataDir;
    private final CountDownLatch finish = new CountDownLatch(1);
    private final ScriptedGateway stalled = ScriptedGateway.start(ScriptedGateway.silence());
    private final FakeOpenClawGateway other = FakeOpenClawGateway.start("token-b");
    private final HttpClient client = HttpClient.newHttpClient();

    @AfterEach
    void stop() {
        finish.countDown();
        stalled.close();
        other.close();
    }

    @Test
    void turnsWaitingOnAGatewayHoldAtMostTheirTenantsShareOfMemoryAndGiveItBackWhenAnswered() throws Exception {
        stalled.play((out, socket) -> {
            if (finish.await(60, TimeUnit.SECONDS)) {
                ScriptedGateway.status(200, "{\"object\":\"response\",\"status\":\"completed\",\"output\":[]}").play(out, socket);
            }
        });
        try (RunningChowder chowder = new RunningChowder(dataDir, Map.of(
                "CHOWDER_MAX_REQUEST_BYTES", String.valueOf(1 << 20), "CHOWDER_MODEL_MAX_REQUEST_BYTES", String.valueOf(1 << 20),
                // A quarter of the budget for each organization, not the default half: the bound is the setting's.
                "CHOWDER_REQUEST_BUFFERED_BYTES_MAX", String.valueOf(8 << 20), "CHOWDER_REQUEST_BUFFERED_BYTES_PER_ORGANIZATION",
                String.valueOf(2 << 20), "CHOWDER_METRICS_TOKEN", METRICS_TOKEN))) {
            String keyA = chowder.createOrganization("Stalled").path("api_key").asText();
            String instanceA = chowder.registerInstance(keyA, stalled.baseUrl(), "token-a");
            String keyB = chowder.createOrganization("Other").path("api_key").asText();
            String instanceB = chowder.registerInstance(keyB, other.baseUrl(), "token-b");

            // Two turns reach the gateway, which holds them: 1.4 MiB of the organization's 2 MiB.
            CompletableFuture<HttpResponse<String>> first = client.sendAsync(turn(chowder, instanceA, keyA, LARGE), HttpResponse.BodyHandlers.ofString());
            awaitRequests(1);
            CompletableFuture<HttpResponse<String>> second = client.sendAsync(turn(chowder, instanceA, keyA, LARGE), HttpResponse.BodyHandlers.ofString());
            awaitRequests(2);
            assertThat(scrape(chowder)).contains("chowder_http_buffered_bytes " + (2.0 * HELD_PER_BODY));

            // A third would go beyond the share: refused while its body arrives, and what it took given back.
            HttpResponse<String> refused = client.send(turn(chowder, instanceA, keyA, LARGE), HttpResponse.BodyHandlers.ofString());
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.headers().firstValue("Retry-After")).contains("5");
            assertThat(JSON.readTree(refused.body()).path("detail").asText())
                    .isEqualTo("Chowder is busy – the request bodies it holds in memory have reached their limit; retry in a moment.");
            assertThat(stalled.requestCount()).isEqualTo(2);
            assertThat(scrape(chowder)).contains("chowder_http_buffered_bytes " + (2.0 * HELD_PER_BODY));

            // Another organization has its own share.
            HttpResponse<String> served = client.send(turn(chowder, instanceB, keyB, LARGE), HttpResponse.BodyHandlers.ofString());
            assertThat(served.statusCode()).isEqualTo(200);
            assertThat(other.received()).hasSize(1);

            finish.countDown();
            assertThat(first.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            assertThat(second.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            // Given back once the answer's last write is done, which may be just after the client has read it.
            awaitHeld(chowder, 0);
            assertThat(client.send(turn(chowder, instanceA, keyA, LARGE), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void controlPlaneBodiesCountWhileTheyArriveSoThatOneTenantTricklingManyCannotFillTheHeap() throws Exception {
        try (RunningChowder chowder = new RunningChowder(dataDir, Map.of(
                "CHOWDER_MAX_REQUEST_BYTES", String.valueOf(1 << 20), "CHOWDER_MODEL_MAX_REQUEST_BYTES", String.valueOf(1 << 20),
                "CHOWDER_REQUEST_BUFFERED_BYTES_MAX", String.valueOf(4 << 20), "CHOWDER_METRICS_TOKEN", METRICS_TOKEN));
                Socket first = new Socket("127.0.0.1", chowder.port()); Socket second = new Socket("127.0.0.1", chowder.port());
                Socket third = new Socket("127.0.0.1", chowder.port())) {
            String keyA = chowder.createOrganization("Trickling").path("api_key").asText();
            String keyB = chowder.createOrganization("Other").path("api_key").asText();
            String instanceB = chowder.registerInstance(keyB, other.baseUrl(), "token-b");

            // Each sends 800,000 bytes of a 1,000,000-byte body, then waits: two fit the organization's 2 MiB.
            int sent = 800_000;
            // Counted in steps of 64 KiB as they are read.
            long held = (sent + 65_535) / 65_536 * 65_536;
            beginKey(first, keyA, sent);
            awaitHeld(chowder, held);
            beginKey(second, keyA, sent);
            awaitHeld(chowder, 2 * held);
            beginKey(third, keyA, sent);
            third.setSoTimeout(30_000);
            String refused = answer(third);
            assertThat(refused).startsWith("HTTP/1.1 503 ").contains("Retry-After: 5")
                    .contains("Chowder is busy – the request bodies it holds in memory have reached their limit; retry in a moment.");
            awaitHeld(chowder, 2 * held);

            HttpResponse<String> served = client.send(turn(chowder, instanceB, keyB, LARGE), HttpResponse.BodyHandlers.ofString());
            assertThat(served.statusCode()).isEqualTo(200);

            // Once their bodies end, what they held is given back.
            for (Socket socket : List.of(first, second)) {
                socket.getOutputStream().write(("x".repeat(1_000_000 - sent - 2) + "\"}").getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().flush();
                socket.setSoTimeout(30_000);
                assertThat(new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 422");
            }
            awaitHeld(chowder, 0);
        }
    }

    @Test
    void bodiesSentWithoutAKeyHoldABudgetOfTheirOwnAndTheOperatorsAreNotCounted() throws Exception {
        String adminToken = "an-admin-token-of-thirty-two-or-more-characters";
        try (RunningChowder chowder = new RunningChowder(dataDir, Map.of("CHOWDER_SIGNUP_ENABLED", "true",
                "CHOWDER_MAX_CONTROL_BODY_BYTES", String.valueOf(1 << 20), "CHOWDER_ADMIN_TOKEN", adminToken,
                "CHOWDER_METRICS_TOKEN", METRICS_TOKEN));
                Socket first = new Socket("127.0.0.1", chowder.port()); Socket second = new Socket("127.0.0.1", chowder.port())) {
            String key = chowder.createOrganization("Tenant").path("api_key").asText();

            // Sign-ups share one control body's worth (1 MiB here): one body of 600,000 bytes, not two. Which of the two
            // is refused depends on which is read first.
            begin(first, "/v1/organization/signup", null, 1_000_000, 600_000);
            begin(second, "/v1/organization/signup", null, 1_000_000, 600_000);
            Socket refused = firstToAnswer(first, second);
            refused.setSoTimeout(30_000);
            assertThat(answer(refused)).startsWith("HTTP/1.1 503 ");
            // Tenants' budget is untouched, and a tenant's body is held in it as ever.
            assertThat(scrape(chowder)).contains("chowder_http_buffered_bytes 0.0");
            assertThat(chowder.send("PATCH", "/v1/organization", key, "{\"name\":\"Tenant renamed\"}").statusCode()).isEqualTo(200);
            // The operator's requests are not counted at all.
            assertThat(chowder.send("POST", "/v1/admin/organizations", adminToken, "{\"name\":\"By the operator\"}").statusCode())
                    .isEqualTo(201);
        }
    }

    /** Of these connections, the first on which an answer begins to arrive (within 30 s). */
    private static Socket firstToAnswer(Socket... sockets) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            for (Socket socket : sockets) {
                if (socket.getInputStream().available() > 0) {
                    return socket;
                }
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no answer within 30 s");
    }

    /** The answer on {@code socket}: its head and its body (of its Content-Length), while the connection stays open. */
    private static String answer(Socket socket) throws Exception {
        java.io.InputStream in = socket.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            assertThat(b).as("the connection closed before an answer's head: %s", head).isNotNegative();
            head.append((char) b);
        }
        int length = Integer.parseInt(head.toString().replaceAll("(?is).*\r\ncontent-length: (\\d+)\r\n.*", "$1"));
        return head + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    /** Starts a POST of a JSON string member of {@code declared} bytes, of which {@code sent} go now. */
    private static void begin(Socket socket, String path, String key, int declared, int sent) throws Exception {
        String opening = "{\"name\":\"";
        String head = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + (key == null ? "" : "Authorization: Bearer " + key + "\r\n")
                + "Content-Type: application/json\r\nContent-Length: " + declared + "\r\n\r\n";
        socket.getOutputStream().write((head + opening + "x".repeat(sent - opening.length())).getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
    }

    /** Starts a key's creation with a 1,000,000-byte body (a name far too long), of which {@code sent} bytes go now. */
    private static void beginKey(Socket socket, String key, int sent) throws Exception {
        begin(socket, "/v1/keys", key, 1_000_000, sent);
    }

    /** Waits until the request bodies held are {@code bytes}. */
    private static void awaitHeld(RunningChowder chowder, long bytes) throws Exception {
        String expected = "chowder_http_buffered_bytes " + (double) bytes;
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        String scraped = scrape(chowder);
        while (!scraped.contains(expected + "\n")) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("expected " + expected + " within 30 s; " + scraped.lines()
                        .filter(line -> line.startsWith("chowder_http_buffered_bytes")).toList());
            }
            Thread.sleep(20);
            scraped = scrape(chowder);
        }
    }

    /** A turn whose body is {@code size} bytes (its input padded to it). */
    private static HttpRequest turn(RunningChowder chowder, String instance, String key, int size) {
        String opening = "{\"input\":\"";
        String body = opening + "x".repeat(size - opening.length() - 2) + "\"}";
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + chowder.port() + "/v1/instances/" + instance + "/responses"))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private void awaitRequests(int count) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (stalled.requestCount() < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the gateway had " + stalled.requestCount() + " of " + count + " turns after 30 s");
            }
            Thread.sleep(10);
        }
    }

    private static String scrape(RunningChowder chowder) throws Exception {
        return chowder.send("GET", "/metrics", METRICS_TOKEN, null).body();
    }
}
