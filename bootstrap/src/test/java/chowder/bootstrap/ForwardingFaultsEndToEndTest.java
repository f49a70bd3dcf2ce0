package chowder.bootstrap;

import static chowder.bootstrap.RunningChowder.JSON;
import static org.assertj.core.api.Assertions.assertThat;

import chowder.testing.ScriptedGateway;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The forwarding path through the whole application against a gateway that is slow, stalls or breaks. */
class ForwardingFaultsEndToEndTest {
    private static final List<String> EVENTS = List.of(
            "event: response.created\ndata: {\"type\":\"response.created\"}\n\n",
            "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"delta\":\"Hel\"}\n\n",
            "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"delta\":\"lo\"}\n\n",
            "event: response.completed\ndata: {\"type\":\"response.completed\"}\n\n",
            "data: [DONE]\n\n");
    private static final String STREAM_BODY = "{\"input\":\"hi\",\"stream\":true}";

    @TempDir
    Path dataDir;
    private final ScriptedGateway gateway = ScriptedGateway.start(ScriptedGateway.silence());
    private RunningChowder chowder;
    private String key;
    private String instanceId;

    @BeforeEach
    void start() throws Exception {
        chowder = new RunningChowder(dataDir, Map.of(
                "CHOWDER_GATEWAY_IDLE_TIMEOUT", "700ms",
                "CHOWDER_GATEWAY_HEADERS_TIMEOUT", "3s",
                "CHOWDER_MAX_REQUEST_BYTES", "100000"));
        key = chowder.createOrganization("Acme").path("api_key").asText();
        instanceId = chowder.registerInstance(key, gateway.baseUrl(), "token");
    }

    @AfterEach
    void stop() {
        chowder.close();
        gateway.close();
    }

    @Test
    void eventsReachTheClientOneByOneAsTheGatewaySendsThem() throws Exception {
        gateway.play(ScriptedGateway.events(EVENTS, Duration.ofMillis(300), false));
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + chowder.port() + responsesPath()))
                .header("Authorization", "Bearer " + key).POST(HttpRequest.BodyPublishers.ofString(STREAM_BODY)).build();
        long started = System.nanoTime();
        HttpResponse<Stream<String>> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofLines());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/event-stream"));
        assertThat(response.headers().firstValue("X-Accel-Buffering")).contains("no");
        Iterator<String> lines = response.body().iterator();
        assertThat(lines.next()).isEqualTo("event: response.created");
        // The gateway produces the last event after ~1.5 s; the first one must not wait for it.
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(1_000));
        StringBuilder rest = new StringBuilder("event: response.created\n");
        lines.forEachRemaining(line -> rest.append(line).append('\n'));
        assertThat(rest.toString()).isEqualTo(String.join("", EVENTS));
    }

    @Test
    void aClientThatHangsUpDuringALongTurnCancelsTheGatewayCallWithin100ms() throws Exception {
        gateway.play(ScriptedGateway.silence());
        RawHttp client = new RawHttp(chowder.port());
        client.post(responsesPath(), key, "{\"input\":\"think hard\"}");
        waitForGatewayRequests(1);
        long hungUp = System.nanoTime();
        client.close();
        long gatewaySawClose = gateway.awaitClientClosed(Duration.ofSeconds(2));
        assertThat(Duration.ofNanos(gatewaySawClose - hungUp)).isLessThan(Duration.ofMillis(100));
    }

    @Test
    void aClientThatHangsUpDuringAStreamCancelsTheGatewayCallWithin100ms() throws Exception {
        gateway.play(ScriptedGateway.events(List.of(EVENTS.get(0)), Duration.ZERO, true));
        RawHttp client = new RawHttp(chowder.port());
        client.post(responsesPath(), key, STREAM_BODY);
        client.readUntil("response.created");
        long hungUp = System.nanoTime();
        client.close();
        long gatewaySawClose = gateway.awaitClientClosed(Duration.ofSeconds(2));
        assertThat(Duration.ofNanos(gatewaySawClose - hungUp)).isLessThan(Duration.ofMillis(100));
    }

    @Test
    void aClientThatHalfClosesAfterItsRequestStillGetsTheWholeAnswer() throws Exception {
        // Slower than the disconnect watch's arming delay: the watch sees the client's end of stream while it waits.
        gateway.play((out, socket) -> {
            Thread.sleep(500);
            ScriptedGateway.status(200, "{\"object\":\"response\",\"n\":1}").play(out, socket);
        });
        String answer;
        try (RawHttp client = new RawHttp(chowder.port())) {
            client.post(responsesPath(), key, "{\"input\":\"think\"}");
            client.shutdownOutput();
            answer = client.readToEnd();
        }
        String finalAnswer = withoutInterimAnswers(answer);
        assertThat(finalAnswer).startsWith("HTTP/1.1 200 ").endsWith("\r\n\r\n{\"object\":\"response\",\"n\":1}");
        assertThat(gateway.requestCount()).isEqualTo(1);
    }

    @Test
    void aClientThatHalfClosesAfterAStreamingRequestStillGetsTheWholeStream() throws Exception {
        gateway.play(ScriptedGateway.events(EVENTS, Duration.ofMillis(200), false));
        String answer;
        try (RawHttp client = new RawHttp(chowder.port())) {
            client.post(responsesPath(), key, STREAM_BODY);
            client.shutdownOutput();
            answer = client.readToEnd();
        }
        assertThat(answer).startsWith("HTTP/1.1 200 ").contains("text/event-stream");
        // The stream is chunked; probes of a client that ended its side are SSE comments, which clients skip.
        String events = RawHttp.dechunk(answer.substring(answer.indexOf("\r\n\r\n") + 4)).replace(":\n\n", "");
        assertThat(events).isEqualTo(String.join("", EVENTS));
    }

    @Test
    void aConnectionServesTheNextRequestAfterAWatchedOne() throws Exception {
        gateway.play(ScriptedGateway.status(200, "{\"object\":\"response\",\"n\":1}"));
        try (RawHttp client = new RawHttp(chowder.port())) {
            client.post(responsesPath(), key, "{\"input\":\"one\"}");
            assertThat(client.readUntil("\"n\":1}")).startsWith("HTTP/1.1 200");
            client.post(responsesPath(), key, "{\"input\":\"two\"}");
            assertThat(client.readUntil("\"n\":1}")).startsWith("HTTP/1.1 200");
        }
        assertThat(gateway.requestCount()).isEqualTo(2);
    }

    @Test
    void aStalledStreamEndsWithResponseFailedThenDone() throws Exception {
        gateway.play(ScriptedGateway.events(List.of(EVENTS.get(0)), Duration.ZERO, true));
        HttpResponse<String> response = chowder.send("POST", responsesPath(), key, STREAM_BODY);
        assertThat(response.statusCode()).isEqualTo(200);
        String[] events = response.body().split("\n\n");
        assertThat(events).hasSize(3);
        assertThat(events[1]).startsWith("event: response.failed\ndata: ").contains("Gateway timeout");
        assertThat(events[2]).isEqualTo("data: [DONE]");
    }

    @Test
    void aStreamResetMidwayEndsWithResponseFailedThenDoneAndNoPartialEvent() throws Exception {
        gateway.play(ScriptedGateway.eventsThenReset(List.of(EVENTS.get(0), "event: response.output_text.delta\ndata: {\"tru")));
        HttpResponse<String> response = chowder.send("POST", responsesPath(), key, STREAM_BODY);
        assertThat(response.body()).doesNotContain("\"tru").endsWith("data: [DONE]\n\n").contains("event: response.failed");
    }

    @Test
    void aGatewayThatDoesNotAnswerInTimeIs504() throws Exception {
        gateway.play(ScriptedGateway.silence());
        HttpResponse<String> response = chowder.send("POST", responsesPath(), key, "{\"input\":\"hi\"}");
        assertThat(response.statusCode()).isEqualTo(504);
        assertThat(JSON.readTree(response.body()).path("detail").path("error").asText()).startsWith("Gateway timeout");
    }

    @Test
    void aRefusedConnectionIs502AlsoForStreams() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        String deadInstance = chowder.registerInstance(key, URI.create("http://127.0.0.1:" + closedPort), "token");
        HttpResponse<String> response = chowder.send("POST", "/v1/instances/" + deadInstance + "/responses", key, STREAM_BODY);
        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(JSON.readTree(response.body()).path("detail").path("error").asText()).startsWith("Gateway unavailable");
    }

    @Test
    void anUpstreamRateLimitKeepsItsStatusAndRetryAfter() throws Exception {
        gateway.play(ScriptedGateway.status(429, "{\"error\":{\"message\":\"Too many requests\"}}", "Retry-After: 30"));
        HttpResponse<String> response = chowder.send("POST", responsesPath(), key, "{\"input\":\"hi\"}");
        assertThat(response.statusCode()).isEqualTo(429);
        assertThat(response.headers().firstValue("Retry-After")).contains("30");
        assertThat(JSON.readTree(response.body()).path("detail").asText()).isEqualTo("Too many requests");
    }

    @Test
    void aBodyOverTheLimitIs413AndNothingReachesTheGateway() throws Exception {
        String big = "{\"input\":\"" + "x".repeat(100_001) + "\"}";
        HttpResponse<String> response = chowder.send("POST", responsesPath(), key, big);
        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(gateway.requestCount()).isZero();
    }

    /** The final answer, after any interim (1xx) ones. */
    private static String withoutInterimAnswers(String answer) {
        String rest = answer;
        while (rest.startsWith("HTTP/1.1 1")) {
            assertThat(rest).startsWith("HTTP/1.1 100 Continue\r\n\r\n");
            rest = rest.substring("HTTP/1.1 100 Continue\r\n\r\n".length());
        }
        return rest;
    }

    private String responsesPath() {
        return "/v1/instances/" + instanceId + "/responses";
    }

    private void waitForGatewayRequests(int count) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (gateway.requestCount() < count && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(gateway.requestCount()).isEqualTo(count);
    }
}
