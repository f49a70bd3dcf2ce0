package chowder.adapter.openclaw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chowder.application.port.GatewayResponse;
import chowder.application.port.ResponseRequest;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.GatewayRejectedException;
import chowder.domain.GatewayToken;
import chowder.domain.GatewayUrl;
import chowder.domain.Instance;
import chowder.domain.OrganizationId;
import chowder.domain.SessionId;
import chowder.domain.SessionKey;
import chowder.testing.FakeOpenClawGateway;
import chowder.testing.LoopbackPorts;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jetty.client.HttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OpenClawGatewayClientTest {
    private static final String TOKEN = "gw-secret-token-1234";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final FakeOpenClawGateway gateway = FakeOpenClawGateway.start(TOKEN);
    private final MeterRegistry registry = new SimpleMeterRegistry();
    private HttpClient http;

    @AfterEach
    void stop() throws Exception {
        gateway.close();
        if (http != null) {
            http.stop();
        }
    }

    @Test
    void forwardsWithTheOpenClawModelTheTokenAndTheSessionKey() throws Exception {
        GatewayResponse response = client(OpenClawGatewayConfig.defaults())
                .createResponse(instance(gateway.baseUrl().toString(), TOKEN), key("User-42"),
                        request("claude-sonnet-4-20250514", "{\"input\":\"Hey, remember me?\"}"));

        assertThat(response.status()).isEqualTo(200);
        assertThat(FakeOpenClawGateway.outputText(new String(response.bytes(), StandardCharsets.UTF_8)))
                .isEqualTo("turns=1 first=Hey, remember me? instructions=-");
        FakeOpenClawGateway.ReceivedRequest received = gateway.lastRequest();
        assertThat(received.body().path("model").asText()).isEqualTo("openclaw");
        assertThat(received.header("x-openclaw-session-key")).contains("chowder-0-_55ser-42");
        assertThat(received.header("x-openclaw-model")).isEmpty();
        assertThat(received.header("Authorization")).contains("Bearer " + TOKEN);
        assertThat(response.usage()).contains(new chowder.domain.TokenUsage(10, 5));
    }

    @Test
    void recordsTheGatewaysLatencyPerInstanceAndOutcomeAndPassesTheRequestIdOn() throws Exception {
        OpenClawGatewayClient client = client(OpenClawGatewayConfig.defaults());
        Instance instance = instance(gateway.baseUrl().toString(), TOKEN);
        client.createResponse(instance, key("main"), new ResponseRequest(Optional.empty(), false,
                "{\"input\":\"hi\"}".getBytes(StandardCharsets.UTF_8), chowder.application.port.Cancellation.none(), Optional.of("req-42")));
        assertThat(gateway.lastRequest().header("x-request-id")).contains("req-42");
        Instance unreachable = instance("http://127.0.0.1:" + LoopbackPorts.free(), TOKEN);
        assertThatThrownBy(() -> client.createResponse(unreachable, key("main"), request(null, "{\"input\":\"hi\"}")))
                .isInstanceOf(ChowderException.class);

        Timer answered = registry.get(GatewayLatency.METRIC).tag("instance", instance.id().toString()).tag("outcome", "success").timer();
        assertThat(answered.count()).isEqualTo(1);
        assertThat(answered.totalTime(java.util.concurrent.TimeUnit.NANOSECONDS)).isPositive();
        assertThat(registry.get(GatewayLatency.METRIC).tag("instance", unreachable.id().toString()).tag("outcome", "unavailable")
                .timer().count()).isEqualTo(1);
        assertThat(registry.getMeters()).allSatisfy(meter -> assertThat(meter.getId().toString()).doesNotContain(TOKEN));
    }

    @Test
    void theOperatorsLogLineOfAnUnreachableGatewayCarriesTheClientRequestsId() throws Exception {
        ch.qos.logback.classic.Logger failures = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(OpenClawGatewayClient.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logged = new ch.qos.logback.core.read.ListAppender<>();
        logged.start();
        failures.addAppender(logged);
        try {
            Instance unreachable = instance("http://127.0.0.1:" + LoopbackPorts.free(), TOKEN);
            // The call ends on the HTTP client's threads, not the caller's: the id must travel with the call.
            assertThatThrownBy(() -> client(OpenClawGatewayConfig.defaults()).createResponse(unreachable, key("main"), new ResponseRequest(
                    Optional.empty(), false, "{\"input\":\"hi\"}".getBytes(StandardCharsets.UTF_8),
                    chowder.application.port.Cancellation.none(), Optional.of("req-77"))))
                    .isInstanceOf(ChowderException.class);
            assertThat(logged.list).anySatisfy(event -> {
                assertThat(event.getFormattedMessage()).contains("could not be reached");
                assertThat(event.getMDCPropertyMap()).containsEntry("request_id", "req-77");
            });
        } finally {
            failures.detachAppender(logged);
        }
    }

    @Test
    void deletesAGatewaySessionThroughToolsInvoke() throws Exception {
        OpenClawGatewayClient client = client(OpenClawGatewayConfig.defaults());
        Instance instance = instance(gateway.baseUrl().toString(), TOKEN);
        client.createResponse(instance, key("user-42"), request(null, "{\"input\":\"hi\"}"));
        assertThat(gateway.hasSession("agent:main:chowder-0-user-42")).isTrue();
        new OpenClawSessionAdmin(http).delete(instance, key("user-42"));
        assertThat(gateway.hasSession("agent:main:chowder-0-user-42")).isFalse();
        assertThat(gateway.toolCalls()).extracting(call -> call.path("tool").asText()).containsExactly("sessions_list", "sessions");
        assertThat(gateway.toolCalls().getLast().path("args").path("action").asText()).isEqualTo("delete");
    }

    @Test
    void passesEveryOtherFieldThroughAndAProviderModelAsHeader() throws Exception {
        String fields = """
                {"input":[{"type":"message","role":"user","content":[{"type":"input_text","text":"hi"}]}],\
                "instructions":"You are a pirate.","tools":[{"type":"function","name":"f","parameters":{}}],\
                "temperature":0.2,"user":"u-1"}""";
        client(OpenClawGatewayConfig.defaults())
                .createResponse(instance(gateway.baseUrl().toString(), TOKEN), key("main"), request("openai/gpt-5.1", fields));

        FakeOpenClawGateway.ReceivedRequest received = gateway.lastRequest();
        var expected = JSON.readTree(fields);
        ((com.fasterxml.jackson.databind.node.ObjectNode) expected).put("model", "openclaw");
        assertThat(received.body()).isEqualTo(expected);
        assertThat(received.header("x-openclaw-model")).contains("openai/gpt-5.1");
    }

    @Test
    void anEmptyObjectStillGetsTheModel() {
        assertThat(withOpenClawModel("{}")).isEqualTo("{\"model\":\"openclaw\"}");
        assertThat(withOpenClawModel("{ \"a\":1}")).isEqualTo("{\"model\":\"openclaw\", \"a\":1}");
    }

    @Test
    void aBodyInPartsIsJoinedAsItCame() {
        // The parts are views of the client's body around the model it sent, as the HTTP adapter makes them.
        assertThat(withOpenClawModel("{", " ", "}")).isEqualTo("{\"model\":\"openclaw\" }");
        assertThat(withOpenClawModel("{", "\"input\":", "\"hi\"}")).isEqualTo("{\"model\":\"openclaw\",\"input\":\"hi\"}");
    }

    private static String withOpenClawModel(String... otherFieldsParts) {
        StringBuilder body = new StringBuilder();
        java.util.List<java.nio.ByteBuffer> parts = java.util.Arrays.stream(otherFieldsParts)
                .map(part -> java.nio.ByteBuffer.wrap(part.getBytes(StandardCharsets.UTF_8))).toList();
        for (java.nio.ByteBuffer buffer : OpenClawRequestBody.withOpenClawModel(parts)) {
            body.append(StandardCharsets.UTF_8.decode(buffer));
        }
        return body.toString();
    }

    @Test
    void onlyProviderSlashModelBecomesTheModelHeader() {
        assertThat(OpenClawRequestBody.modelHeader(Optional.of("anthropic/claude-sonnet-4-5"))).contains("anthropic/claude-sonnet-4-5");
        assertThat(OpenClawRequestBody.modelHeader(Optional.of("claude-sonnet-4-20250514"))).isEmpty();
        assertThat(OpenClawRequestBody.modelHeader(Optional.of("openclaw/main"))).isEmpty();
        assertThat(OpenClawRequestBody.modelHeader(Optional.of("a/b\r\nX-Injected: 1"))).isEmpty();
        assertThat(OpenClawRequestBody.modelHeader(Optional.empty())).isEmpty();
    }

    @Test
    void aWrongTokenIsAGatewayCredentialFailureThatNeverShowsTheToken() throws Exception {
        String wrong = "wrong-token-5678";
        assertThatThrownBy(() -> client(OpenClawGatewayConfig.defaults())
                        .createResponse(instance(gateway.baseUrl().toString(), wrong), key("main"), request(null, "{\"input\":\"x\"}")))
                .isInstanceOfSatisfying(ChowderException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.GATEWAY_CREDENTIALS_REJECTED);
                    assertThat(e.getMessage()).isEqualTo(OpenClawGatewayClient.UNREACHABLE).doesNotContain(wrong).doesNotContain(TOKEN);
                });
    }

    @Test
    void aRefusedConnectionIsGatewayUnavailable() throws Exception {
        int closedPort = LoopbackPorts.free();
        assertThatThrownBy(() -> client(OpenClawGatewayConfig.defaults())
                        .createResponse(instance("http://127.0.0.1:" + closedPort, TOKEN), key("main"), request(null, "{\"input\":\"x\"}")))
                .isInstanceOfSatisfying(ChowderException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.GATEWAY_UNAVAILABLE);
                    assertThat(e.getMessage()).isEqualTo(OpenClawGatewayClient.UNREACHABLE).doesNotContain(TOKEN);
                });
    }

    @Test
    void aGatewayThatNeverAnswersTimesOut() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                try (Socket accepted = silent.accept()) {
                    Thread.sleep(Duration.ofMinutes(5).toMillis());
                } catch (Exception ignored) {
                    // The test is over.
                }
            });
            // Only the headers timeout can end this within the test's patience: idle and total are ten minutes.
            Duration headers = Duration.ofSeconds(1);
            var config = new OpenClawGatewayConfig(Duration.ofSeconds(5), headers, Duration.ofMinutes(10), Duration.ofMinutes(10), 1024,
                    64L << 20, java.util.List.of(), Duration.ofSeconds(5));
            OpenClawGatewayClient client = client(config);
            long started = System.nanoTime();
            java.util.concurrent.CompletableFuture<Throwable> outcome = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    client.createResponse(instance("http://127.0.0.1:" + silent.getLocalPort(), TOKEN), key("main"), request(null, "{\"input\":\"x\"}"));
                    return null;
                } catch (RuntimeException e) {
                    return e;
                }
            });
            assertThat(outcome.get(60, java.util.concurrent.TimeUnit.SECONDS)).isInstanceOfSatisfying(ChowderException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.GATEWAY_TIMEOUT));
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(headers);
        }
    }

    @Test
    void callsShareOneHeadersDeadlineTimerYetEachTimesOutOnItsOwnAndAnsweredCallsLeaveIt() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                while (!silent.isClosed()) {
                    try {
                        Socket accepted = silent.accept();
                        Thread.ofVirtual().start(() -> {
                            try (accepted) {
                                Thread.sleep(Duration.ofMinutes(5).toMillis());
                            } catch (Exception ignored) {
                                // The test is over.
                            }
                        });
                    } catch (Exception closed) {
                        return;
                    }
                }
            });
            Duration headers = Duration.ofSeconds(2);
            var config = new OpenClawGatewayConfig(Duration.ofSeconds(5), headers, Duration.ofMinutes(10), Duration.ofMinutes(10), 1024,
                    64L << 20, java.util.List.of(), Duration.ofSeconds(5));
            OpenClawGatewayClient client = client(config);
            Instance answering = instance(gateway.baseUrl().toString(), TOKEN);
            Instance mute = instance("http://127.0.0.1:" + silent.getLocalPort(), TOKEN);

            // A silent call, then answered calls while it waits, then a second silent call a second later.
            long firstStarted = System.nanoTime();
            var first = java.util.concurrent.CompletableFuture.supplyAsync(() -> outcomeOf(client, mute));
            for (int i = 0; i < 20; i++) {
                client.createResponse(answering, key("main"), request(null, "{\"input\":\"x\"}")).close();
            }
            Thread.sleep(1000);
            long secondStarted = System.nanoTime();
            var second = java.util.concurrent.CompletableFuture.supplyAsync(() -> outcomeOf(client, mute));

            assertThat(first.get(60, java.util.concurrent.TimeUnit.SECONDS)).isInstanceOfSatisfying(ChowderException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.GATEWAY_TIMEOUT));
            assertThat(Duration.ofNanos(System.nanoTime() - firstStarted)).isGreaterThanOrEqualTo(headers);
            // The later deadline is kept though the timer was set for the earlier one.
            assertThat(second.get(60, java.util.concurrent.TimeUnit.SECONDS)).isInstanceOfSatisfying(ChowderException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.GATEWAY_TIMEOUT));
            assertThat(Duration.ofNanos(System.nanoTime() - secondStarted)).isGreaterThanOrEqualTo(headers);
            // Nothing waits any more: the answered calls left the deadlines when their headers came.
            assertThat(client.callsAwaitingHeaders()).isZero();
        }
    }

    private static Throwable outcomeOf(OpenClawGatewayClient client, Instance instance) {
        try {
            client.createResponse(instance, key("main"), request(null, "{\"input\":\"x\"}")).close();
            return null;
        } catch (RuntimeException e) {
            return e;
        }
    }

    @Test
    void aGatewayRejectionKeepsItsStatusMessageAndRetryAfter() throws Exception {
        gateway.failWith(429, "{\"error\":{\"message\":\"Too many requests\",\"type\":\"rate_limit\"}}", Map.of("Retry-After", "7"));
        assertThatThrownBy(() -> client(OpenClawGatewayConfig.defaults())
                        .createResponse(instance(gateway.baseUrl().toString(), TOKEN), key("main"), request(null, "{\"input\":\"x\"}")))
                .isInstanceOfSatisfying(GatewayRejectedException.class, e -> {
                    assertThat(e.status()).isEqualTo(429);
                    assertThat(e.getMessage()).isEqualTo("Too many requests");
                    assertThat(e.retryAfter()).contains("7");
                });
    }

    @Test
    void aGatewayServerErrorIsAGatewayFailure() throws Exception {
        gateway.failWith(500, "{\"code\":\"api_error\",\"message\":\"internal error\"}", Map.of());
        assertThatThrownBy(() -> client(OpenClawGatewayConfig.defaults())
                        .createResponse(instance(gateway.baseUrl().toString(), TOKEN), key("main"), request(null, "{\"input\":\"x\"}")))
                .isInstanceOfSatisfying(ChowderException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.GATEWAY_FAILED);
                    assertThat(e.getMessage()).isEqualTo("Gateway error – it answered 500: internal error");
                });
    }

    @Test
    void anAnswerOverTheLimitIsRefused() throws Exception {
        var config = new OpenClawGatewayConfig(Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofSeconds(10), 100, 64L << 20, java.util.List.of(), Duration.ofSeconds(5));
        assertThatThrownBy(() -> client(config).createResponse(
                        instance(gateway.baseUrl().toString(), TOKEN), key("main"), request(null, "{\"input\":\"x\"}")))
                .isInstanceOfSatisfying(ChowderException.class, e -> assertThat(e.getMessage()).contains("larger than the limit"));
    }

    private OpenClawGatewayClient client(OpenClawGatewayConfig config) throws Exception {
        http = GatewayHttpClients.create(config);
        http.start();
        return new OpenClawGatewayClient(http, config, registry);
    }

    private static Instance instance(String url, String token) {
        return Instance.register(OrganizationId.random(), "test", GatewayUrl.of(url), new GatewayToken(token), chowder.domain.InstanceSettings.NONE, Instant.now());
    }

    private static SessionKey key(String sessionId) {
        return SessionKey.forSession(SessionId.of(sessionId), 0);
    }

    private static ResponseRequest request(String model, String otherFields) {
        return new ResponseRequest(Optional.ofNullable(model), false, otherFields.getBytes(StandardCharsets.UTF_8));
    }
}
