package chowder.adapter.openclaw;

import static java.util.Objects.requireNonNull;

import chowder.domain.ErrorCode;
import chowder.domain.InstanceId;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * How long each instance's gateway takes to start answering (until its response headers, or until the
 * exchange failed), as {@code chowder_gateway_latency_seconds{instance, outcome}}. The instance id is not a
 * secret; nothing else about the request becomes a label. Timers are cached, so the forwarding path
 * builds no meter id once an (instance, outcome) pair has been seen.
 */
final class GatewayLatency {
    static final String METRIC = "chowder.gateway.latency";
    // A gateway answers a short turn in under a second and a long agent run in minutes.
    private static final Duration[] BUCKETS = {Duration.ofMillis(10), Duration.ofMillis(50), Duration.ofMillis(100),
            Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
            Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(120), Duration.ofSeconds(300)};

    /** Every outcome label there is: the gateway's status class, or why no status arrived. */
    enum Outcome {
        SUCCESS, CLIENT_ERROR, SERVER_ERROR, REDIRECT, UNAVAILABLE, TIMEOUT, CANCELLED, FAILED;

        static Outcome ofStatus(int status) {
            if (status >= 200 && status < 300) {
                return SUCCESS;
            }
            if (status >= 300 && status < 400) {
                return REDIRECT;
            }
            return status >= 400 && status < 500 ? CLIENT_ERROR : SERVER_ERROR;
        }

        /** Why no answer arrived, from the error the exchange failed with. */
        static Outcome of(ErrorCode failure) {
            return switch (failure) {
                case GATEWAY_TIMEOUT -> TIMEOUT;
                case REQUEST_CANCELLED -> CANCELLED;
                case GATEWAY_UNAVAILABLE -> UNAVAILABLE;
                default -> FAILED;
            };
        }

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final MeterRegistry registry;
    private final Map<InstanceId, AtomicReferenceArray<Timer>> timers = new ConcurrentHashMap<>();

    GatewayLatency(MeterRegistry registry) {
        this.registry = requireNonNull(registry, "registry is null");
    }

    void record(InstanceId instance, Outcome outcome, long startNanos) {
        AtomicReferenceArray<Timer> byOutcome = timers.get(instance);
        if (byOutcome == null) {
            byOutcome = timers.computeIfAbsent(instance, id -> new AtomicReferenceArray<>(Outcome.values().length));
        }
        Timer timer = byOutcome.get(outcome.ordinal());
        if (timer == null) {
            // Racing threads get the same meter back from the registry, so a lost write is harmless.
            timer = Timer.builder(METRIC)
                    .description("Time until an instance's gateway answered with response headers, or the exchange failed")
                    .tag("instance", instance.toString())
                    .tag("outcome", outcome.label())
                    .serviceLevelObjectives(BUCKETS)
                    .register(registry);
            byOutcome.set(outcome.ordinal(), timer);
        }
        timer.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
    }
}
