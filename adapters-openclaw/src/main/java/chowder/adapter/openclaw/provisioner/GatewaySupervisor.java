package chowder.adapter.openclaw.provisioner;

import static java.util.Objects.requireNonNull;

import chowder.application.port.out.InstanceProvisionerPort.GatewayEvents;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one provisioned gateway running on one virtual thread: launches it, reports ready once
 * {@code /readyz} answers 200, and when it exits or does not become ready in time, reports the failure
 * with its log tail and launches it again after a pause that doubles up to a maximum (reset once it was
 * ready). {@link #stop()} ends the supervision and the process.
 */
final class GatewaySupervisor {
    private static final Logger log = LoggerFactory.getLogger(GatewaySupervisor.class);
    private static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    private static final Duration POLL_INTERVAL = Duration.ofMillis(250);
    private static final Duration EXIT_POLL_INTERVAL = Duration.ofSeconds(2);
    // Room for the reason's own words within the 1000 characters an error_message keeps.
    private static final int LOG_TAIL_CHARACTERS = 800;
    // HTTP/1.1: the gateway answers an h2c upgrade attempt (the JDK client's default for http://) with 400.
    private static final HttpClient PROBE = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(1))
            .build();

    /** Starts one launch of the gateway (which may install OpenClaw first, and prepares its sandbox); blocks until started. */
    interface Launch {
        GatewayProcess start() throws IOException;
    }

    private final String name;
    private final Launch launch;
    private final int port;
    private final Path consoleLog;
    private final GatewayEvents events;
    private final Duration readyTimeout;
    private final Duration maxBackoff;
    private final Redaction redaction;
    // Not a monitor: on JDK 21 to 23 a virtual thread waiting in Object.wait pins its carrier, and a few supervisors
    // pausing between launches would hold every carrier the server's requests need.
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private GatewayProcess process;
    private boolean stopping;
    /** A restart was asked for: the gateway's end is not a failure, and it is launched again at once. */
    private boolean restarting;
    /** How many launches became ready so far. */
    private long readyLaunches;
    private Thread thread;

    GatewaySupervisor(String name, Launch launch, int port, Path consoleLog, GatewayEvents events, Duration readyTimeout, Duration maxBackoff,
            Redaction redaction) {
        this.name = requireNonNull(name, "name is null");
        this.launch = requireNonNull(launch, "launch is null");
        this.port = port;
        this.consoleLog = requireNonNull(consoleLog, "consoleLog is null");
        this.events = requireNonNull(events, "events is null");
        this.readyTimeout = requireNonNull(readyTimeout, "readyTimeout is null");
        this.maxBackoff = requireNonNull(maxBackoff, "maxBackoff is null");
        this.redaction = requireNonNull(redaction, "redaction is null");
    }

    /** Removes secrets from text that leaves the supervisor (log tails can quote anything). */
    @FunctionalInterface
    interface Redaction {
        String apply(String text);
    }

    void start() {
        thread = Thread.ofVirtual().name("gateway-supervisor-" + name).start(this::supervise);
    }

    /** Ends supervision, stops the process (SIGTERM, then SIGKILL) and returns once it and the supervisor are gone. */
    void stop() {
        GatewayProcess running;
        lock.lock();
        try {
            stopping = true;
            running = process;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (running != null) {
            running.stop();
        }
        if (thread != null) {
            // A launch may be installing (OpenClaw, a channel plugin) for minutes: it is cut short, not waited for.
            thread.interrupt();
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Stops the gateway and launches it again at once (no failure reported, no pause): a launch does what a running
     * gateway cannot, such as installing a channel plugin before it starts. Nothing happens once stopped.
     */
    void restart() {
        GatewayProcess running;
        lock.lock();
        try {
            if (stopping) {
                return;
            }
            restarting = true;
            running = process;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (running != null) {
            running.stop();
        }
    }

    /** How many launches became ready so far: {@link #awaitReadyAfter} waits for the next. */
    long readyLaunches() {
        lock.lock();
        try {
            return readyLaunches;
        } finally {
            lock.unlock();
        }
    }

    /** Waits until more than {@code launches} launches became ready; false when stopped or out of time. */
    boolean awaitReadyAfter(long launches, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (readyLaunches <= launches && !stopping) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                changed.awaitNanos(left);
            }
            return readyLaunches > launches;
        } finally {
            lock.unlock();
        }
    }

    private void supervise() {
        Duration backoff = FIRST_BACKOFF;
        while (!stopping()) {
            String failure;
            try {
                GatewayProcess launched = launchUnlessStopping();
                if (launched == null) {
                    return;
                }
                if (restartAsked()) {
                    // Asked while this launch was being prepared: it may have missed what the restart is for.
                    launched.stop();
                    continue;
                }
                failure = runOnce(launched);
                if (failure == null) {
                    backoff = FIRST_BACKOFF;
                    failure = awaitExit(launched);
                }
            } catch (IOException | RuntimeException e) {
                failure = "Gateway could not be started: " + e.getMessage();
            }
            if (restartAsked()) {
                backoff = FIRST_BACKOFF;
                continue;
            }
            if (failure == null || stopping()) {
                return;
            }
            String reason = redaction.apply(failure + " Restarting in " + backoff.toSeconds() + " s.");
            log.warn("Gateway {} failed: {}", name, reason);
            events.failed(reason);
            pause(backoff);
            backoff = backoff.multipliedBy(2).compareTo(maxBackoff) > 0 ? maxBackoff : backoff.multipliedBy(2);
        }
    }

    /** Launches outside the lock (an install on first use takes minutes), then hands the process to stop() if it came meanwhile. */
    private GatewayProcess launchUnlessStopping() throws IOException {
        if (stopping()) {
            return null;
        }
        GatewayProcess launched = launch.start();
        lock.lock();
        try {
            if (!stopping) {
                process = launched;
                return launched;
            }
        } finally {
            lock.unlock();
        }
        launched.stop();
        return null;
    }

    /** Waits until the gateway is ready (null) or has failed (the reason); kills it when it is not ready in time. */
    private String runOnce(GatewayProcess launched) {
        long deadline = System.nanoTime() + readyTimeout.toNanos();
        URI readyz = URI.create("http://127.0.0.1:" + port + "/readyz");
        while (!stopping()) {
            if (!launched.isAlive()) {
                return exited(launched);
            }
            if (ready(readyz)) {
                launched.rememberDescendants();
                log.info("Gateway {} is ready on port {}", name, port);
                // Recorded before anyone waiting for this launch hears of it: what they answer next reads "running".
                events.ready();
                lock.lock();
                try {
                    readyLaunches++;
                    changed.signalAll();
                } finally {
                    lock.unlock();
                }
                return null;
            }
            if (System.nanoTime() - deadline > 0) {
                launched.stop();
                return "Gateway was not ready within " + readyTimeout.toSeconds() + " s. Log tail: " + tail();
            }
            pause(POLL_INTERVAL);
        }
        return null;
    }

    private String awaitExit(GatewayProcess launched) {
        try {
            while (!launched.awaitExit(EXIT_POLL_INTERVAL)) {
                // keeps remembering descendants while it runs, and watches its sandbox
                Optional<String> broken = launched.sandboxFailure();
                if (broken.isPresent() && !stopping()) {
                    launched.stop();
                    return broken.get() + " The gateway was stopped. Log tail: " + tail();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
        return stopping() ? null : exited(launched);
    }

    private String exited(GatewayProcess launched) {
        // Its helpers (a spawn broker in a session of its own) would outlive a crashed gateway.
        launched.stop();
        return "Gateway exited with code " + launched.exitValue() + "." + launched.exitNote() + " Log tail: " + tail();
    }

    private String tail() {
        return GatewayProcess.logTail(consoleLog, LOG_TAIL_CHARACTERS);
    }

    private static boolean ready(URI readyz) {
        try {
            HttpRequest probe = HttpRequest.newBuilder(readyz).timeout(Duration.ofSeconds(2)).build();
            return PROBE.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Whether a restart was asked for since the last launch; clears the request. */
    private boolean restartAsked() {
        lock.lock();
        try {
            boolean asked = restarting && !stopping;
            restarting = false;
            return asked;
        } finally {
            lock.unlock();
        }
    }

    private boolean stopping() {
        lock.lock();
        try {
            return stopping;
        } finally {
            lock.unlock();
        }
    }

    /** Sleeps, waking early when stopped. */
    private void pause(Duration duration) {
        lock.lock();
        try {
            if (stopping) {
                return;
            }
            try {
                changed.await(Math.max(1, duration.toMillis()), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } finally {
            lock.unlock();
        }
    }
}
