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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
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

    // Timeouts no test waits for: a cancellation or a relay that broke would show only when one of them fires, far
    // beyond the seconds of slack a loaded machine needs.
    private static final Map<String, String> PATIENT = Map.of(
            "CHOWDER_GATEWAY_IDLE_TIMEOUT", "60s",
            "CHOWDER_GATEWAY_HEADERS_TIMEOUT", "60s",
            "CHOWDER_MAX_REQUEST_BYTES", "100000");
    // For the tests of the timeouts themselves: short, but seconds, so a busy machine does not trip them early.
    private static final Map<String, String> IMPATIENT = Map.of(
            "CHOWDER_GATEWAY_IDLE_TIMEOUT", "2s",
            "CHOWDER_GATEWAY_HEADERS_TIMEOUT", "2s",
            "CHOWDER_MAX_REQUEST_BYTES", "100000");
    private static final Duration CLOSED_AT_ONCE = Duration.ofSeconds(10);

    @TempDir
    Path dataDir;
    private final ScriptedGateway gateway = ScriptedGateway.start(ScriptedGateway.silence());
    private RunningChowder chowder;
    private String key;
    private String instanceId;

    private void start(Map<String, String> env) throws Exception {
        chowder = new RunningChowder(dataDir, env);
        key = chowder.createOrganization("Acme").path("api_key").asText();
        instanceId = chowder.registerInstance(key, gateway.baseUrl(), "token");
    }

    @AfterEach
    void stop() {
        if (chowder != null) {
            chowder.close();
        }
        gateway.close();
    }

    @Test
    void eventsReachTheClientOneByOneAsTheGatewaySendsThem() throws Exception {
        start(PATIENT);
        Semaphore nextEvent = new Semaphore(0);
        gateway.play(ScriptedGateway.eventsOnDemand(EVENTS, nextEvent));
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + chowder.port() + responsesPath()))
                .header("Authorization", "Bearer " + key).POST(HttpRequest.BodyPublishers.ofString(STREAM_BODY)).build();
        HttpResponse<Stream<String>> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofLines());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/event-stream"));
        assertThat(response.headers().firstValue("X-Accel-Buffering")).contains("no");
        Iterator<String> lines = response.body().iterator();
        // Each event reaches the client while the gateway still holds back the next one: the order proves that
        // nothing on the way buffered it, however slow the machine (a buffering relay would wait here for ever).
        for (String event : EVENTS) {
            String received = CompletableFuture.supplyAsync(() -> {
                StringBuilder text = new StringBuilder();
                String line;
                while (!(line = lines.next()).isEmpty()) {
                    text.append(line).append('\n');
                }
                return text.append('\n').toString();
            }).get(60, TimeUnit.SECONDS);
            assertThat(received).isEqualTo(event);
            nextEvent.release();
        }
        assertThat(lines.hasNext()).isFalse();
    }

    @Test
    void aClientThatHangsUpDuringALongTurnCancelsTheGatewayCallAtOnce() throws Exception {
        start(PATIENT);
        gateway.play(ScriptedGateway.silence());
        RawHttp client = new RawHttp(chowder.port());
        client.post(responsesPath(), key, "{\"input\":\"think hard\"}");
        waitForGatewayRequests(1);
        client.close();
        // At once: seconds of slack for a busy machine, against a minute before any timeout would close it.
        gateway.awaitClientClosed(CLOSED_AT_ONCE);
    }

    @Test
    void aClientThatHangsUpDuringAStreamCancelsTheGatewayCallAtOnce() throws Exception {
        start(PATIENT);
        gateway.play(ScriptedGateway.events(List.of(EVENTS.get(0)), Duration.ZERO, true));
        RawHttp client = new RawHttp(chowder.port());
        client.post(responsesPath(), key, STREAM_BODY);
        client.readUntil("response.created");
        client.close();
        gateway.awaitClientClosed(CLOSED_AT_ONCE);
    }

    @Test
    void aClientThatHalfClosesAfterItsRequestStillGetsTheWholeAnswer() throws Exception {
        start(PATIENT);
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
        start(PATIENT);
        gateway.play(ScriptedGateway.events(EVENTS, Duration.ofMillis(200), false));
        String answer;
        try (RawHttp client = new RawHttp(chowder.port())) {
            client.post(responsesPath(), key, STREAM_BODY);
            client.shutdownOutput();
            answer = withoutInterimAnswers(client.readToEnd());
        }
        assertThat(answer).startsWith("HTTP/1.1 200 ").contains("text/event-stream");
        // The stream is chunked; probes of a client that ended its side are SSE comments, which clients skip.
        String events = RawHttp.dechunk(answer.substring(answer.indexOf("\r\n\r\n") + 4)).replace(":\n\n", "");
        assertThat(events).isEqualTo(String.join("", EVENTS));
    }

    @Test
    void aConnectionServesTheNextRequestAfterAWatchedOne() throws Exception {
        start(PATIENT);
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
        start(IMPATIENT);
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
        start(PATIENT);
        gateway.play(ScriptedGateway.eventsThenReset(List.of(EVENTS.get(0), "event: response.output_text.delta\ndata: {\"tru")));
        HttpResponse<String> response = chowder.send("POST", responsesPath(), key, STREAM_BODY);
        assertThat(response.body()).doesNotContain("\"tru").endsWith("data: [DONE]\n\n").contains("event: response.failed");
    }

    @Test
    void aGatewayThatDoesNotAnswerInTimeIs504() throws Exception {
        start(IMPATIENT);
        gateway.play(ScriptedGateway.silence());
        HttpResponse<String> response = chowder.send("POST", responsesPath(), key, "{\"input\":\"hi\"}");
        assertThat(response.statusCode()).isEqualTo(504);
        assertThat(JSON.readTree(response.body()).path("detail").path("error").asText()).startsWith("Gateway timeout");
    }

    @Test
    void aRefusedConnectionIs502AlsoForStreams() throws Exception {
        start(PATIENT);
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
    void aTenantCannotTellARefusedAClosedANonHttpAndAnAuthenticatingAddressApart() throws Exception {
        start(PATIENT);
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        try (ScriptedGateway closes = ScriptedGateway.start((out, socket) -> socket.close());
                ScriptedGateway notHttp = ScriptedGateway.start(ScriptedGateway.garbage());
                ScriptedGateway authenticates = ScriptedGateway.start(ScriptedGateway.status(401, "{\"error\":{\"message\":\"Unauthorized\"}}",
                        "WWW-Authenticate: Basic realm=\"intranet\""))) {
            List<URI> addresses = List.of(URI.create("http://127.0.0.1:" + closedPort), closes.baseUrl(), notHttp.baseUrl(), authenticates.baseUrl());
            for (URI address : addresses) {
                String probed = chowder.registerInstance(key, address, "token");
                for (String body : List.of("{\"input\":\"hi\"}", STREAM_BODY)) {
                    HttpResponse<String> response = chowder.send("POST", "/v1/instances/" + probed + "/responses", key, body);
                    assertThat(response.statusCode()).as(address + " " + body).isEqualTo(502);
                    assertThat(response.headers().firstValue("WWW-Authenticate")).as(address.toString()).isEmpty();
                    assertThat(response.body()).as(address + " " + body).isEqualTo(
                            "{\"detail\":{\"error\":\"Gateway unavailable – the gateway could not be reached or did not accept Chowder's credentials.\"}}");
                }
            }
        }
    }

    @Test
    void anUpstreamRateLimitKeepsItsStatusAndRetryAfter() throws Exception {
        start(PATIENT);
        gateway.play(ScriptedGateway.status(429, "{\"error\":{\"message\":\"Too many requests\"}}", "Retry-After: 30"));
        HttpResponse<String> response = chowder.send("POST", responsesPath(), key, "{\"input\":\"hi\"}");
        assertThat(response.statusCode()).isEqualTo(429);
        assertThat(response.headers().firstValue("Retry-After")).contains("30");
        assertThat(JSON.readTree(response.body()).path("detail").asText()).isEqualTo("Too many requests");
    }

    @Test
    void aBodyOverTheLimitIs413AndNothingReachesTheGateway() throws Exception {
        start(PATIENT);
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
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (gateway.requestCount() < count && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(gateway.requestCount()).isEqualTo(count);
    }
}
