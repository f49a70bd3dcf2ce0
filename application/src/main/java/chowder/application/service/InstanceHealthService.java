package chowder.application.service;

import static java.util.Objects.requireNonNull;

import chowder.application.port.in.ProbeInstancesUseCase;
import chowder.application.port.out.GatewayHealthPort;
import chowder.application.port.out.InstanceProvisionerPort.GatewayEvents;
import chowder.application.port.out.LoadInstancePort;
import chowder.application.port.out.SaveInstancePort;
import chowder.domain.Instance;
import chowder.domain.InstanceStatus;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;

/**
 * Keeps instances' health current: probes are asynchronous (no thread waits on a gateway), at most
 * {@code maxConcurrentProbes} at a time, and a result is written only when it changes the instance,
 * conditionally on its status, so a probe never undoes a concurrent stop.
 */
public final class InstanceHealthService implements ProbeInstancesUseCase {
    private final LoadInstancePort loadInstances;
    private final SaveInstancePort saveInstances;
    private final GatewayHealthPort gateways;
    private final Executor recorder;
    private final Semaphore inFlight;
    private final Clock clock;

    /** @param recorder runs the (blocking) writes of results, e.g. a virtual-thread executor */
    public InstanceHealthService(LoadInstancePort loadInstances, SaveInstancePort saveInstances, GatewayHealthPort gateways,
            Executor recorder, int maxConcurrentProbes, Clock clock) {
        this.loadInstances = requireNonNull(loadInstances, "loadInstances is null");
        this.saveInstances = requireNonNull(saveInstances, "saveInstances is null");
        this.gateways = requireNonNull(gateways, "gateways is null");
        this.recorder = requireNonNull(recorder, "recorder is null");
        this.inFlight = new Semaphore(maxConcurrentProbes);
        this.clock = requireNonNull(clock, "clock is null");
    }

    @Override
    public void probeAll() {
        List<Instance> instances = loadInstances.listProbed();
        CompletableFuture<?>[] probes = new CompletableFuture<?>[instances.size()];
        for (int i = 0; i < instances.size(); i++) {
            inFlight.acquireUninterruptibly();
            probes[i] = probe(instances.get(i)).whenComplete((ignored, error) -> inFlight.release());
        }
        CompletableFuture.allOf(probes).join();
    }

    /** Probes one instance in the background, e.g. right after it was registered or re-addressed. */
    void probeSoon(Instance instance) {
        if (instance.probed()) {
            probe(instance);
        }
    }

    /** Records what the supervisor of a provisioned gateway reports, as long as the instance keeps that gateway's address. */
    GatewayEvents eventsOf(Instance launched) {
        return new GatewayEvents() {
            @Override
            public void ready() {
                record(launched, Optional.empty(), Optional.empty());
            }

            @Override
            public void failed(String reason) {
                record(launched, Optional.of(reason), Optional.empty());
            }
        };
    }

    private CompletableFuture<Void> probe(Instance instance) {
        Optional<Instant> started = Optional.of(clock.instant());
        return gateways.probe(instance).toCompletableFuture()
                .thenAcceptAsync(failure -> record(instance, failure, started), recorder)
                .exceptionally(error -> null);
    }

    /** @param probeStarted when the probe that found {@code failure} began; empty for what a supervisor reports */
    private void record(Instance probed, Optional<String> failure, Optional<Instant> probeStarted) {
        boolean byProbe = probeStarted.isPresent();
        // Re-read: the instance may have been stopped, re-addressed or deleted while the probe ran.
        loadInstances.findById(probed.id())
                .filter(current -> current.gatewayUrl().equals(probed.gatewayUrl()))
                // What changed since the probe began is newer than what it saw: a supervisor's "ready" after a restart
                // must not be overwritten by a probe sent while the gateway was down.
                .filter(current -> probeStarted.isEmpty() || !current.updatedAt().isAfter(probeStarted.get()))
                // A provisioned gateway's start-up and crashes are reported by its supervisor, with its log; a
                // probe only notices a running one that stopped answering.
                .filter(current -> !(byProbe && failure.isPresent() && current.provisioned() && current.status() != InstanceStatus.RUNNING))
                .ifPresent(current -> {
                    Instance observed = current.observed(failure, clock.instant());
                    if (observed != null) {
                        saveInstances.updateIfUnchanged(observed, current);
                    }
                });
    }
}
