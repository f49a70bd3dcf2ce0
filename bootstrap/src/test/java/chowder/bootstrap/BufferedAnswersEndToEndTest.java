package chowder.bootstrap;

import static chowder.bootstrap.RunningChowder.JSON;
import static org.assertj.core.api.Assertions.assertThat;

import chowder.testing.FakeOpenClawGateway;
import chowder.testing.ScriptedGateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One tenant's gateway answering big, many at once, through the whole application: a 503 for it, service for others. */
class BufferedAnswersEndToEndTest {
    private static final String METRICS_TOKEN = "scrape-token-0123456789";
    private static final int LARGE = 700 * 1024;

    @TempDir
    Path dataDir;
    private final CountDownLatch finish = new CountDownLatch(1);
    private final ScriptedGateway big = ScriptedGateway.start(ScriptedGateway.silence());
    private final FakeOpenClawGateway small = FakeOpenClawGateway.start("token-b");
    private final HttpClient client = HttpClient.newHttpClient();

    @AfterEach
    void stop() {
        finish.countDown();
        big.close();
        small.close();
    }

    @Test
    void concurrentLargeAnswersBeyondTheBoundAre503WithRetryAfterWhileAnotherTenantIsServed() throws Exception {
        big.play(jsonInTwoHalves(LARGE));
        try (RunningChowder chowder = new RunningChowder(dataDir, Map.of(
                "CHOWDER_GATEWAY_MAX_RESPONSE_BYTES", String.valueOf(1 << 20),
                "CHOWDER_GATEWAY_BUFFERED_BYTES_MAX", String.valueOf(4 << 20), "CHOWDER_METRICS_TOKEN", METRICS_TOKEN))) {
            String keyA = chowder.createOrganization("Greedy").path("api_key").asText();
            String instanceA = chowder.registerInstance(keyA, big.baseUrl(), "token-a");
            String keyB = chowder.createOrganization("Other").path("api_key").asText();
            String instanceB = chowder.registerInstance(keyB, small.baseUrl(), "token-b");

            List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                answers.add(client.sendAsync(post(chowder, instanceA, keyA), HttpResponse.BodyHandlers.ofString()));
            }
            // The organization may hold half of the 4 MiB: two 700 KiB answers wait for their second halves, four are refused.
            List<HttpResponse<String>> refused = awaitDone(answers, 4);
            assertThat(refused).allSatisfy(response -> {
                assertThat(response.statusCode()).isEqualTo(503);
                assertThat(response.headers().firstValue("Retry-After")).contains("1");
                assertThat(JSON.readTree(response.body()).path("detail").asText())
                        .isEqualTo("Chowder is busy – the gateway answers it holds in memory have reached their limit; retry in a moment.");
            });
            assertThat(scrape(chowder)).contains("chowder_gateway_buffered_bytes " + (2.0 * LARGE));

            HttpResponse<String> other = client.send(post(chowder, instanceB, keyB), HttpResponse.BodyHandlers.ofString());
            assertThat(other.statusCode()).isEqualTo(200);
            assertThat(FakeOpenClawGateway.outputText(other.body())).startsWith("turns=1");

            finish.countDown();
            List<Integer> statuses = new ArrayList<>();
            for (CompletableFuture<HttpResponse<String>> answer : answers) {
                HttpResponse<String> response = answer.get(30, TimeUnit.SECONDS);
                statuses.add(response.statusCode());
                if (response.statusCode() == 200) {
                    assertThat(response.body()).hasSize(LARGE);
                }
            }
            assertThat(statuses).containsExactlyInAnyOrder(200, 200, 503, 503, 503, 503);
            // Given back once each answer's last write is done, which may be just after its client has read it.
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!scrape(chowder).contains("chowder_gateway_buffered_bytes 0.0\n")) {
                assertThat(System.nanoTime() - deadline).as("answers still held: %s", scrape(chowder).lines()
                        .filter(line -> line.startsWith("chowder_gateway_buffered_bytes")).toList()).isNegative();
                Thread.sleep(20);
            }
        }
    }

    private static HttpRequest post(RunningChowder chowder, String instance, String key) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + chowder.port() + "/v1/instances/" + instance + "/responses"))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"input\":\"hi\"}")).build();
    }

    private static String scrape(RunningChowder chowder) throws Exception {
        return chowder.send("GET", "/metrics", METRICS_TOKEN, null).body();
    }

    /** Waits until {@code count} answers are complete (the others are still waiting on the gateway) and returns them. */
    private static List<HttpResponse<String>> awaitDone(List<CompletableFuture<HttpResponse<String>>> answers, int count) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            List<HttpResponse<String>> done = answers.stream().filter(CompletableFuture::isDone).map(CompletableFuture::join).toList();
            if (done.size() >= count) {
                assertThat(done).hasSize(count);
                return done;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("fewer than " + count + " answers came back within 30 s");
    }

    /** A JSON answer of {@code size} bytes with its Content-Length: the first half at once, the rest once the test says so. */
    private ScriptedGateway.Script jsonInTwoHalves(int size) {
        String opening = "{\"object\":\"response\",\"pad\":\"";
        byte[] body = (opening + "x".repeat(size - opening.length() - 2) + "\"}").getBytes(StandardCharsets.UTF_8);
        return (out, socket) -> {
            out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + body.length
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.write(body, 0, body.length / 2);
            out.flush();
            if (finish.await(60, TimeUnit.SECONDS)) {
                out.write(body, body.length / 2, body.length - body.length / 2);
                out.flush();
            }
        };
    }
}
