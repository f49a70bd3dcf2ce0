package chowder.adapter.openclaw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chowder.application.port.ResponseRequest;
import chowder.application.port.ResponseStream;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.testing.ScriptedGateway;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
/**
 * The gateway client against a gateway that stalls or never stops: its timeouts end the call, and a caller that gives up
 * (interrupted, cancelled, or closing the stream) aborts the upstream connection at once.
 */
class GatewayStallsTest extends GatewayFaultsFixture {
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
}
