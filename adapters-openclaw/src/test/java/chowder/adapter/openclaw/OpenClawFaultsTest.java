package chowder.adapter.openclaw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chowder.application.port.ResponseRequest;
import chowder.application.port.ResponseStream;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.GatewayRejectedException;
import chowder.domain.Instance;
import chowder.testing.Gzip;
import chowder.testing.LoopbackPorts;
import chowder.testing.ScriptedGateway;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
/** The gateway client against a gateway that answers wrongly in every way measured to matter. */
class OpenClawFaultsTest extends GatewayFaultsFixture {
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
            int closedPort = LoopbackPorts.free();
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
        byte[] compressed = Gzip.compress(EVENTS.get(0).getBytes(StandardCharsets.UTF_8));
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
}
