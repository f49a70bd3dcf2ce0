package chowder.bootstrap;

import chowder.application.service.KeyUsageRecorder;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes keys' coalesced last use every few seconds, and once more when Chowder stops. */
final class KeyUsageFlushing implements Lifecycle {
    private static final Logger log = LoggerFactory.getLogger(KeyUsageFlushing.class);
    private static final long INTERVAL_SECONDS = 5;

    private final KeyUsageRecorder usage;
    private ScheduledExecutorService scheduler;

    KeyUsageFlushing(KeyUsageRecorder usage) {
        this.usage = usage;
    }

    @Override
    public void start() {
        scheduler = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("key-usage").daemon().factory());
        scheduler.scheduleWithFixedDelay(this::flush, INTERVAL_SECONDS, INTERVAL_SECONDS, TimeUnit.SECONDS);
    }

    private void flush() {
        try {
            usage.flush();
        } catch (RuntimeException e) {
            log.warn("Writing keys' last use failed; it is retried at the next interval", e);
        }
    }

    @Override
    public void stop() throws InterruptedException {
        scheduler.shutdown();
        scheduler.awaitTermination(5, TimeUnit.SECONDS);
        flush();
    }
}
