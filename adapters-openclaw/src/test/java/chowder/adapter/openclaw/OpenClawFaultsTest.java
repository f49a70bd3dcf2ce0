package chowder.adapter.openclaw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chowder.application.port.ResponseRequest;
import chowder.application.port.ResponseStream;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.GatewayRejectedException;
import chowder.domain.GatewayToken;
import chowder.domain.GatewayUrl;
import chowder.domain.Instance;
import chowder.domain.OrganizationId;
import chowder.domain.SessionId;
import chowder.domain.SessionKey;
import chowder.testing.ScriptedGateway;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.HttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The gateway client against a gateway that misbehaves in every way measured to matter. */
class OpenClawFaultsTest {
    private final io.micrometer.core.instrument.MeterRegistry registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    private static final List<String> EVENTS = List.of(
            "event: response.created\ndata: {\"type\":\"response.created\"}\n\n",
            "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"delta\":\"Hi\"}\n\n",
            "event: response.completed\ndata: {\"type\":\"response.completed\",\"response\":{\"usage\":{\"input_tokens\":30,\"output_tokens\":4}}}\n\n",
            "data: [DONE]\n\n");

    // Bounds for a loaded machine: far beyond scheduling delays, far below what a broken implementation would take.
    private static final Duration TIMEOUT_IF_BROKEN = Duration.ofSeconds(60);
    private static final Duration CLOSED_AT_ONCE = Duration.ofSeconds(10);

    private final ScriptedGateway gateway = ScriptedGateway.start(ScriptedGateway.silence());
    private HttpClient http;

    @AfterEach
    void stop() throws Exception {
        gateway.close();
        if (http != null) {
            http.stop();
        }
    }

    @Test
    void relaysEventsAsTheyArriveByteForByte() throws Exception {
        java.util.concurrent.Semaphore nextEvent = new java.util.concurrent.Semaphore(0);
        gateway.play(ScriptedGateway.eventsOnDemand(EVENTS, nextEvent));
        try (ResponseStream stream = client(defaults()).streamResponse(instance(), key(), streaming())) {
            assertThat(stream.status()).isEqualTo(200);
            assertThat(stream.contentType()).startsWith("text/event-stream");
            // Each event must arrive while the gateway still holds back the next one: order, not a clock, proves it
            // was not buffered (a buffering relay would wait here until the gateway gives up).
            for (int i = 0; i < EVENTS.size(); i++) {
                assertThat(text(within(TIMEOUT_IF_BROKEN, stream::nextEvent))).isEqualTo(EVENTS.get(i));
                nextEvent.release();
            }
            assertThat(stream.nextEvent()).isNull();
            assertThat(stream.usage()).contains(new chowder.domain.TokenUsage(30, 4));
        }
    }

    @Test
    void aResetInTheMiddleOfAStreamIsAGatewayFailureWithoutPartialEvents() throws Exception {
        gateway.play(ScriptedGateway.eventsThenReset(List.of(EVENTS.get(0), "event: response.output_text.delta\ndata: {\"trunc")));
        try (ResponseStream stream = client(defaults()).streamResponse(instance(), key(), streaming())) {
            assertThat(text(stream.nextEvent())).isEqualTo(EVENTS.get(0));
            assertThatThrownBy(stream::nextEvent).isInstanceOfSatisfying(ChowderException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.GATEWAY_FAILED));
        }
    }

    @Test
    void aResetInTheMiddleOfAJsonAnswerIs502() {
        gateway.play(ScriptedGateway.jsonThenReset());
        assertThatThrownBy(() -> client(defaults()).createResponse(instance(), key(), plain()))
                .isInstanceOfSatisfying(ChowderException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.GATEWAY_FAILED);
                    assertThat(e.getMessage()).contains("connection broke");
                });
    }

    @Test
    void everyWayOfNotReachingAGatewayLooksTheSameToTheTenantWhileTheLogSaysWhy() throws Exception {
        ch.qos.logback.classic.Logger clientLog = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(OpenClawGatewayClient.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logged = new ch.qos.logback.core.read.ListAppender<>();
        logged.start();
        clientLog.addAppender(logged);
        try {
            OpenClawGatewayClient client = client(defaults());
            java.util.Map<String, Instance> addresses = new java.util.LinkedHashMap<>();
            int closedPort;
            try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                closedPort = socket.getLocalPort();
            }
            addresses.put("refused", instance("http://127.0.0.1:" + closedPort));
            try (ScriptedGateway closes = ScriptedGateway.start((out, socket) -> socket.close());
                    ScriptedGateway notHttp = ScriptedGateway.start(ScriptedGateway.garbage());
                    ScriptedGateway auth401 = ScriptedGateway.start(ScriptedGateway.status(401, "{\"error\":{\"message\":\"Unauthorized\"}}",
                            "WWW-Authenticate: Basic realm=\"intranet\""));
                    ScriptedGateway auth403 = ScriptedGateway.start(ScriptedGateway.status(403, "{\"error\":{\"message\":\"Forbidden\"}}"))) {
                addresses.put("closed", instance(closes.baseUrl().toString()));
                addresses.put("not HTTP", instance(notHttp.baseUrl().toString()));
                addresses.put("401", instance(auth401.baseUrl().toString()));
                addresses.put("403", instance(auth403.baseUrl().toString()));
                for (var address : addresses.entrySet()) {
                    for (ResponseRequest request : List.of(plain(), streaming())) {
                        org.assertj.core.api.ThrowableAssert.ThrowingCallable call = request.stream()
                                ? () -> client.streamResponse(address.getValue(), key(), request).close()
                                : () -> client.createResponse(address.getValue(), key(), request);
                        assertThatThrownBy(call).as(address.getKey()).isInstanceOfSatisfying(ChowderException.class, e -> {
                            assertThat(e.getMessage()).isEqualTo("Gateway unavailable – the gateway could not be reached or did not accept Chowder's credentials.");
                            assertThat(e).isNotInstanceOf(GatewayRejectedException.class);
                            assertThat(e.code()).isIn(ErrorCode.GATEWAY_UNAVAILABLE, ErrorCode.GATEWAY_CREDENTIALS_REJECTED);
                        });
                    }
                }
            }
            List<String> warnings = logged.list.stream().filter(event -> event.getLevel() == ch.qos.logback.classic.Level.WARN)
                    .map(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage).toList();
            assertThat(warnings).hasSize(2 * addresses.size()).noneMatch(line -> line.contains("gateway-token-secret"));
            for (var address : addresses.entrySet()) {
                String expected = switch (address.getKey()) {
                    case "refused" -> "the connection was refused";
                    case "closed" -> "closed the connection";
                    case "not HTTP" -> "not valid HTTP";
                    default -> "answered " + address.getKey() + ": the instance's gateway_token is wrong";
                };
                assertThat(warnings).as(address.getKey()).filteredOn(line -> line.contains(address.getValue().id().toString()))
                        .hasSize(2).allSatisfy(line -> assertThat(line).contains(expected));
            }
        } finally {
            clientLog.detachAppender(logged);
        }
    }

    @Test
    void a200ThatIsNotJsonIs502() {
        gateway.play(ScriptedGateway.status(200, "<html>proxy login</html>"));
        assertThatThrownBy(() -> client(defaults()).createResponse(instance(), key(), plain()))
                .isInstanceOfSatisfying(ChowderException.class, e -> assertThat(e.getMessage()).contains("not valid JSON"));
    }

    @Test
    void aStreamingRequestAnsweredWithJsonIs502() {
        gateway.play(ScriptedGateway.status(200, "{\"object\":\"response\"}"));
        assertThatThrownBy(() -> client(defaults()).streamResponse(instance(), key(), streaming()))
                .isInstanceOfSatisfying(ChowderException.class, e -> assertThat(e.getMessage()).contains("instead of an event stream"));
    }

    @Test
    void anAnswerInAContentCodingChowderDidNotAskForIs502() throws Exception {
        byte[] compressed = gzip(EVENTS.get(0).getBytes(StandardCharsets.UTF_8));
        for (String contentType : List.of("application/json", "text/event-stream")) {
            gateway.play((out, socket) -> {
                out.write(("HTTP/1.1 200 OK\r\nContent-Type: " + contentType + "\r\nContent-Encoding: gzip\r\nContent-Length: "
                        + compressed.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                out.write(compressed);
                out.flush();
            });
            OpenClawGatewayClient client = client(defaults());
            org.assertj.core.api.ThrowableAssert.ThrowingCallable call = contentType.equals("application/json")
                    ? () -> client.createResponse(instance(), key(), plain())
                    : () -> client.streamResponse(instance(), key(), streaming()).close();
            assertThatThrownBy(call).as(contentType).isInstanceOfSatisfying(ChowderException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.GATEWAY_FAILED);
                assertThat(e.getMessage()).isEqualTo("Gateway error – it answered with Content-Encoding 'gzip', which Chowder did not ask for and does not decode.");
            });
            http.stop();
        }
    }

    private static byte[] gzip(byte[] bytes) throws java.io.IOException {
        java.io.ByteArrayOutputStream compressed = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream out = new java.util.zip.GZIPOutputStream(compressed)) {
            out.write(bytes);
        }
        return compressed.toByteArray();
    }

    @Test
    void rateLimitsKeepRetryAfterAndServerErrorsAre502EvenForStreams() {
        gateway.play(ScriptedGateway.status(429, "{\"error\":{\"message\":\"slow down\",\"type\":\"rate_limit\"}}", "Retry-After: 12"));
        assertThatThrownBy(() -> client(defaults()).streamResponse(instance(), key(), streaming()))
                .isInstanceOfSatisfying(GatewayRejectedException.class, e -> {
                    assertThat(e.status()).isEqualTo(429);
                    assertThat(e.retryAfter()).contains("12");
                });
        gateway.play(ScriptedGateway.status(503, "{\"error\":{\"message\":\"overloaded\"}}"));
        assertThatThrownBy(() -> client(defaults()).streamResponse(instance(), key(), streaming()))
                .isInstanceOfSatisfying(ChowderException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.GATEWAY_FAILED);
                    assertThat(e.getMessage()).isEqualTo("Gateway error – it answered 503: overloaded");
                });
    }

    @Test
    void aStalledStreamEndsAfterTheIdleTimeout() throws Exception {
        java.util.concurrent.atomic.AtomicLong wentSilentAt = new java.util.concurrent.atomic.AtomicLong();
        gateway.play((out, socket) -> {
            out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n" + EVENTS.get(0))
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
            wentSilentAt.set(System.nanoTime());
            Thread.sleep(Duration.ofMinutes(5).toMillis());
        });
        // The idle timeout is the only one that can end this stream within the test's patience: headers and total are
        // far longer, and the gateway stays silent for five minutes.
        Duration idle = Duration.ofSeconds(2);
        var config = new OpenClawGatewayConfig(Duration.ofSeconds(5), Duration.ofMinutes(10), idle, Duration.ofMinutes(30), 1 << 20,
                64L << 20, java.util.List.of(), Duration.ofSeconds(5));
        try (ResponseStream stream = client(config).streamResponse(instance(), key(), streaming())) {
            assertThat(text(stream.nextEvent())).isEqualTo(EVENTS.get(0));
            assertThatThrownBy(() -> within(TIMEOUT_IF_BROKEN, stream::nextEvent)).isInstanceOfSatisfying(ChowderException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.GATEWAY_TIMEOUT));
            // Not before the gateway had been silent for the idle timeout (measured from its last byte, so a slow test
            // thread cannot make this fail).
            assertThat(Duration.ofNanos(System.nanoTime() - wentSilentAt.get())).isGreaterThanOrEqualTo(idle);
        }
    }

    @Test
    void theTotalTimeoutCapsAStreamThatNeverStops() throws Exception {
        // Ten minutes of events every 100 ms: without the cap the stream would end normally, long after the test gave up.
        List<String> endless = java.util.Collections.nCopies(6_000, EVENTS.get(1));
        gateway.play(ScriptedGateway.events(endless, Duration.ofMillis(100), false));
        Duration total = Duration.ofSeconds(3);
        var config = new OpenClawGatewayConfig(Duration.ofSeconds(5), Duration.ofMinutes(1), Duration.ofMinutes(1), total, 1 << 20,
                64L << 20, java.util.List.of(), Duration.ofSeconds(5));
        OpenClawGatewayClient client = client(config);
        long started = System.nanoTime();
        assertThatThrownBy(() -> within(TIMEOUT_IF_BROKEN, () -> {
            try (ResponseStream stream = client.streamResponse(instance(), key(), streaming())) {
                while (stream.nextEvent() != null) {
                    // Drain until the cap ends the stream.
                }
            }
            return null;
        })).isInstanceOfSatisfying(ChowderException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.GATEWAY_TIMEOUT));
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(total);
    }

    @Test
    void interruptingAWaitingCallAbortsTheUpstreamConnectionAtOnce() throws Exception {
        gateway.play(ScriptedGateway.silence());
        OpenClawGatewayClient client = client(defaults());
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread caller = Thread.ofVirtual().start(() -> {
            try {
                client.createResponse(instance(), key(), plain());
                outcome.complete(null);
            } catch (Throwable e) {
                outcome.complete(e);
            }
        });
        waitForRequest();
        caller.interrupt();
        // At once means long before any timeout could close it (defaults: minutes); seconds of slack for a busy machine.
        gateway.awaitClientClosed(CLOSED_AT_ONCE);
        assertThat(outcome.get(30, TimeUnit.SECONDS)).isInstanceOfSatisfying(ChowderException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.REQUEST_CANCELLED));
    }

    @Test
    void cancellingTheRequestAbortsTheUpstreamConnectionAtOnce() throws Exception {
        gateway.play(ScriptedGateway.silence());
        OpenClawGatewayClient client = client(defaults());
        chowder.application.port.Cancellation clientGone = new chowder.application.port.Cancellation();
        ResponseRequest request = new ResponseRequest(Optional.empty(), false, "{\"input\":\"hi\"}".getBytes(StandardCharsets.UTF_8), clientGone);
        CompletableFuture<Throwable> outcome = CompletableFuture.supplyAsync(() -> {
            try {
                client.createResponse(instance(), key(), request);
                return null;
            } catch (Throwable e) {
                return e;
            }
        });
        waitForRequest();
        clientGone.cancel();
        gateway.awaitClientClosed(CLOSED_AT_ONCE);
        assertThat(outcome.get(30, TimeUnit.SECONDS)).isInstanceOfSatisfying(ChowderException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.REQUEST_CANCELLED));
    }

    @Test
    void closingAnUnfinishedStreamAbortsTheUpstreamConnection() throws Exception {
        gateway.play(ScriptedGateway.events(List.of(EVENTS.get(0)), Duration.ZERO, true));
        ResponseStream stream = client(defaults()).streamResponse(instance(), key(), streaming());
        assertThat(text(stream.nextEvent())).isEqualTo(EVENTS.get(0));
        stream.close();
        gateway.awaitClientClosed(CLOSED_AT_ONCE);
    }

    /** Runs {@code call}, failing the test if it takes longer than {@code patience}; its own exception is rethrown. */
    private static <T> T within(Duration patience, java.util.concurrent.Callable<T> call) throws Exception {
        java.util.concurrent.FutureTask<T> task = new java.util.concurrent.FutureTask<>(call);
        Thread.ofVirtual().start(task);
        try {
            return task.get(patience.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        } catch (java.util.concurrent.TimeoutException e) {
            task.cancel(true);
            throw new AssertionError("no result within " + patience, e);
        }
    }

    private void waitForRequest() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (gateway.requestCount() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(gateway.requestCount()).isEqualTo(1);
    }

    private OpenClawGatewayClient client(OpenClawGatewayConfig config) throws Exception {
        http = GatewayHttpClients.create(config);
        http.start();
        return new OpenClawGatewayClient(http, config, registry);
    }

    private static OpenClawGatewayConfig defaults() {
        return OpenClawGatewayConfig.defaults();
    }

    private Instance instance() {
        return instance(gateway.baseUrl().toString());
    }

    private static Instance instance(String url) {
        return Instance.register(OrganizationId.random(), "test", GatewayUrl.of(url),
                new GatewayToken("gateway-token-secret"), chowder.domain.InstanceSettings.NONE, Instant.now());
    }

    private static SessionKey key() {
        return SessionKey.forSession(SessionId.MAIN, 0);
    }

    private static ResponseRequest plain() {
        return new ResponseRequest(Optional.empty(), false, "{\"input\":\"hi\"}".getBytes(StandardCharsets.UTF_8));
    }

    private static ResponseRequest streaming() {
        return new ResponseRequest(Optional.empty(), true, "{\"input\":\"hi\",\"stream\":true}".getBytes(StandardCharsets.UTF_8));
    }

    private static String text(byte[] event) {
        return new String(event, StandardCharsets.UTF_8);
    }
}
