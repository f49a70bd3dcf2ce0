package chowder.bootstrap;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes coalesced counters (keys' last use, sessions' activity) every few seconds, and once more when Chowder stops. */
final class PeriodicFlush implements Lifecycle {
    private static final Logger log = LoggerFactory.getLogger(PeriodicFlush.class);

    private final String name;
    private final Runnable flush;
    private final Duration interval;
    private ScheduledExecutorService scheduler;

    PeriodicFlush(String name, Runnable flush, Duration interval) {
        this.name = name;
        this.flush = flush;
        this.interval = interval;
    }

    @Override
    public void start() {
        scheduler = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name(name).daemon().factory());
        scheduler.scheduleWithFixedDelay(this::flushOnce, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void flushOnce() {
        try {
            flush.run();
        } catch (RuntimeException e) {
            log.warn("Writing {} failed; it is retried at the next interval", name, e);
        }
    }

    @Override
    public void stop() throws InterruptedException {
        scheduler.shutdown();
        scheduler.awaitTermination(5, TimeUnit.SECONDS);
        flushOnce();
    }
}
