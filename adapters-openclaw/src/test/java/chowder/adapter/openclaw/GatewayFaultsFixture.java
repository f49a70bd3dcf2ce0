package chowder.adapter.openclaw;

import static org.assertj.core.api.Assertions.assertThat;

import chowder.application.port.ResponseRequest;
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
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.HttpClient;
import org.junit.jupiter.api.AfterEach;
/** A scripted gateway that misbehaves as each test tells it, the gateway client under test, and what they share. */
abstract class GatewayFaultsFixture {
    final io.micrometer.core.instrument.MeterRegistry registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    static final List<String> EVENTS = List.of(
            "event: response.created\ndata: {\"type\":\"response.created\"}\n\n",
            "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"delta\":\"Hi\"}\n\n",
            "event: response.completed\ndata: {\"type\":\"response.completed\",\"response\":{\"usage\":{\"input_tokens\":30,\"output_tokens\":4}}}\n\n",
            "data: [DONE]\n\n");

    // Bounds for a loaded machine: far beyond scheduling delays, far below what a broken implementation would take.
    static final Duration TIMEOUT_IF_BROKEN = Duration.ofSeconds(60);
    static final Duration CLOSED_AT_ONCE = Duration.ofSeconds(10);

    final ScriptedGateway gateway = ScriptedGateway.start(ScriptedGateway.silence());
    HttpClient http;

    @AfterEach
    void stop() throws Exception {
        gateway.close();
        if (http != null) {
            http.stop();
        }
    }

    /** Runs {@code call}, failing the test if it takes longer than {@code patience}; its own exception is rethrown. */
    static <T> T within(Duration patience, java.util.concurrent.Callable<T> call) throws Exception {
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

    void waitForRequest() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (gateway.requestCount() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(gateway.requestCount()).isEqualTo(1);
    }

    OpenClawGatewayClient client(OpenClawGatewayConfig config) throws Exception {
        http = GatewayHttpClients.create(config);
        http.start();
        return new OpenClawGatewayClient(http, config, registry);
    }

    static OpenClawGatewayConfig defaults() {
        return OpenClawGatewayConfig.defaults();
    }

    Instance instance() {
        return instance(gateway.baseUrl().toString());
    }

    static Instance instance(String url) {
        return Instance.register(OrganizationId.random(), "test", GatewayUrl.of(url),
                new GatewayToken("gateway-token-secret"), chowder.domain.InstanceSettings.NONE, Instant.now());
    }

    static SessionKey key() {
        return SessionKey.forSession(SessionId.MAIN, 0);
    }

    static ResponseRequest plain() {
        return new ResponseRequest(Optional.empty(), false, "{\"input\":\"hi\"}".getBytes(StandardCharsets.UTF_8));
    }

    static ResponseRequest streaming() {
        return new ResponseRequest(Optional.empty(), true, "{\"input\":\"hi\",\"stream\":true}".getBytes(StandardCharsets.UTF_8));
    }

    static String text(byte[] event) {
        return new String(event, StandardCharsets.UTF_8);
    }
}
