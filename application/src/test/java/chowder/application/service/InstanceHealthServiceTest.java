package chowder.application.service;

import static org.assertj.core.api.Assertions.assertThat;

import chowder.application.port.out.InstanceProvisionerPort.GatewayEvents;
import chowder.domain.GatewayToken;
import chowder.domain.GatewayUrl;
import chowder.domain.Instance;
import chowder.domain.InstanceSettings;
import chowder.domain.InstanceStatus;
import chowder.domain.OrganizationId;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class InstanceHealthServiceTest {
    private final SessionServiceTest.MutableClock clock = new SessionServiceTest.MutableClock(Instant.parse("2026-12-05T10:00:00Z"));
    private final InMemoryStore store = new InMemoryStore();
    private final Queue<CompletableFuture<Optional<String>>> probesInFlight = new ArrayDeque<>();
    private final InstanceHealthService health = new InstanceHealthService(store, store, instance -> {
        CompletableFuture<Optional<String>> probe = new CompletableFuture<>();
        probesInFlight.add(probe);
        return probe;
    }, Runnable::run, 8, clock);

    @Test
    void aProbeSentWhileTheGatewayRestartedDoesNotOverwriteTheReadyItsSupervisorReportedSince() {
        Instance instance = Instance.provision(OrganizationId.random(), "agent", GatewayUrl.of("http://127.0.0.1:40000"), new GatewayToken("t"),
                InstanceSettings.NONE, clock.instant()).observed(Optional.empty(), clock.instant());
        store.insertWithinLimit(instance, 10);
        GatewayEvents supervisor = health.eventsOf(instance);

        // The gateway is down for a moment (a restart for a plugin, say): a probe finds it so, and a second goes out.
        clock.advance(Duration.ofSeconds(1));
        health.probeSoon(instance);
        probesInFlight.remove().complete(Optional.of("connection refused"));
        assertThat(store.findById(instance.id()).orElseThrow().status()).isEqualTo(InstanceStatus.ERROR);
        clock.advance(Duration.ofSeconds(1));
        health.probeSoon(instance);
        clock.advance(Duration.ofSeconds(1));
        supervisor.ready();
        assertThat(store.findById(instance.id()).orElseThrow().status()).isEqualTo(InstanceStatus.RUNNING);
        clock.advance(Duration.ofSeconds(1));
        probesInFlight.remove().complete(Optional.of("connection refused"));
        assertThat(store.findById(instance.id()).orElseThrow().status()).isEqualTo(InstanceStatus.RUNNING);

        // A probe sent after that, which finds the gateway gone, is news.
        clock.advance(Duration.ofSeconds(1));
        health.probeSoon(instance);
        probesInFlight.remove().complete(Optional.of("connection refused"));
        assertThat(store.findById(instance.id()).orElseThrow().status()).isEqualTo(InstanceStatus.ERROR);
    }
}
