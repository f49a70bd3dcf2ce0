package chowder.bootstrap;

import com.google.common.util.concurrent.AbstractIdleService;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a task at a fixed delay on one daemon thread, from start to stop: health probing rounds, and
 * the writes of coalesced counters (keys' last use, sessions' activity), which also run once more on
 * stop so that a clean shutdown loses nothing. A failing round is logged and the next one runs anyway.
 */
final class PeriodicTask extends AbstractIdleService {
    private static final Logger log = LoggerFactory.getLogger(PeriodicTask.class);

    private final String name;
    private final Runnable task;
    private final Duration initialDelay;
    private final Duration interval;
    private final boolean runOnStop;
    private ScheduledExecutorService scheduler;

    private PeriodicTask(String name, Runnable task, Duration initialDelay, Duration interval, boolean runOnStop) {
        this.name = name;
        this.task = task;
        this.initialDelay = initialDelay;
        this.interval = interval;
        this.runOnStop = runOnStop;
    }

    /** Starts at once and repeats; nothing is owed at stop. */
    static PeriodicTask rounds(String name, Runnable round, Duration interval) {
        return new PeriodicTask(name, round, Duration.ZERO, interval, false);
    }

    /** Writes what accumulated every interval, and a last time at stop. */
    static PeriodicTask flushes(String name, Runnable flush, Duration interval) {
        return new PeriodicTask(name, flush, interval, interval, true);
    }

    @Override
    protected String serviceName() {
        return name;
    }

    @Override
    protected void startUp() {
        scheduler = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name(name).daemon().factory());
        scheduler.scheduleWithFixedDelay(this::runOnce, initialDelay.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void runOnce() {
        try {
            task.run();
        } catch (RuntimeException e) {
            log.warn("{} failed; it runs again at the next interval", name, e);
        }
    }

    @Override
    protected void shutDown() throws InterruptedException {
        if (runOnStop) {
            scheduler.shutdown();
        } else {
            scheduler.shutdownNow();
        }
        scheduler.awaitTermination(5, TimeUnit.SECONDS);
        if (runOnStop) {
            runOnce();
        }
    }
}
