package chowder.adapter.openclaw;

import static org.assertj.core.api.Assertions.assertThat;

import chowder.domain.GatewayToken;
import chowder.domain.GatewayUrl;
import chowder.domain.Instance;
import chowder.domain.InstanceSettings;
import chowder.domain.OrganizationId;
import chowder.testing.FakeOpenClawGateway;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.HttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Health probes against real servers that are ready, not ready, silent, gone, or forbidden. */
class OpenClawHealthProbeTest {
    private final OpenClawGatewayConfig config = new OpenClawGatewayConfig(Duration.ofSeconds(1), Duration.ofSeconds(5),
            Duration.ofSeconds(5), Duration.ofSeconds(5), 1 << 20, List.of(), Duration.ofMillis(500));
    private HttpClient http;
    private OpenClawHealthProbe probe;

    @BeforeEach
    void start() throws Exception {
        http = GatewayHttpClients.create(config);
        http.start();
        probe = new OpenClawHealthProbe(http, config.probeTimeout());
    }

    @AfterEach
    void stop() throws Exception {
        http.stop();
    }

    @Test
    void aReadyGatewayIsHealthyAndOneThatGoesAwayIsNot() throws Exception {
        FakeOpenClawGateway gateway = FakeOpenClawGateway.start("t");
        Instance instance = instance(gateway.baseUrl().toString());
        assertThat(result(instance)).isEmpty();
        gateway.setReady(false);
        assertThat(result(instance)).contains("Gateway not ready: /readyz answered 503.");
        gateway.close();
        assertThat(result(instance)).hasValueSatisfying(reason -> assertThat(reason).startsWith("Gateway unreachable at /readyz: "));
        assertThat(result(instance)).contains("Gateway unreachable at /readyz: connection refused.");
    }

    @Test
    void aSilentGatewayTimesOut() throws Exception {
        try (java.net.ServerSocket silent = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            assertThat(result(instance("http://127.0.0.1:" + silent.getLocalPort())))
                    .contains("Gateway unreachable at /readyz: no answer within 500 ms.");
        }
    }

    @Test
    void aForbiddenAddressIsNeverContacted() throws Exception {
        assertThat(result(instance("http://169.254.169.254"))).hasValueSatisfying(reason -> assertThat(reason).contains("outside the allowed networks"));
    }

    @Test
    void aThousandProbesRunConcurrentlyWithoutAThreadEach() throws Exception {
        FakeOpenClawGateway gateway = FakeOpenClawGateway.start("t");
        try {
            Instance instance = instance(gateway.baseUrl().toString());
            OpenClawHealthProbe patient = new OpenClawHealthProbe(http, Duration.ofSeconds(30));
            int before = Thread.activeCount();
            // 1,000: Jetty queues at most 1,024 requests per destination; real probes go to as many gateways as there are.
            var probes = java.util.stream.IntStream.range(0, 1_000).mapToObj(i -> patient.probe(instance).toCompletableFuture()).toList();
            int during = Thread.activeCount();
            for (var result : probes) {
                assertThat(result.get(30, TimeUnit.SECONDS)).isEmpty();
            }
            // Platform threads stay bounded by the client's pool, not by the number of probes.
            assertThat(during - before).isLessThan(300);
        } finally {
            gateway.close();
        }
    }

    private Optional<String> result(Instance instance) throws Exception {
        return probe.probe(instance).toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    private static Instance instance(String url) {
        return Instance.register(OrganizationId.random(), "probe", GatewayUrl.of(url), new GatewayToken("t"), InstanceSettings.NONE, Instant.now());
    }
}
