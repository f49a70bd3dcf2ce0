package chowder.bootstrap;

import chowder.application.port.in.ProbeInstancesUseCase;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs a round of health probes at a fixed delay on one scheduler thread, from start to stop. */
final class HealthProbing implements Lifecycle {
    private static final Logger log = LoggerFactory.getLogger(HealthProbing.class);

    private final ProbeInstancesUseCase probes;
    private final Duration interval;
    private ScheduledExecutorService scheduler;

    HealthProbing(ProbeInstancesUseCase probes, Duration interval) {
        this.probes = probes;
        this.interval = interval;
    }

    @Override
    public void start() {
        scheduler = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("health-probing").daemon().factory());
        scheduler.scheduleWithFixedDelay(this::probeRound, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void probeRound() {
        try {
            probes.probeAll();
        } catch (RuntimeException e) {
            // One bad round (the database away, say) must not end probing for good.
            log.warn("Health probing round failed", e);
        }
    }

    @Override
    public void stop() throws InterruptedException {
        scheduler.shutdownNow();
        scheduler.awaitTermination(5, TimeUnit.SECONDS);
    }
}
