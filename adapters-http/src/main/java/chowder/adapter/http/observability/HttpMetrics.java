package chowder.adapter.http.observability;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Request counts and latency histograms as {@code http_server_requests_seconds{method, route, status}}. The route
 * is the template ({@code /v1/instances/{id}/session/{session_id}/responses}), never the concrete path, which
 * carries session ids; every path that matches no route shares the label {@value #UNMATCHED}. Timers are cached
 * per (method, route) and status, so a request builds no meter id once its (method, route, status) has been seen;
 * Javalin's routes and the responses relay share that one cache.
 */
final class HttpMetrics {
    static final String METRIC = "http.server.requests";
    static final String UNMATCHED = "unmatched";
    private static final Set<String> KNOWN_METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE");
    private static final int STATUSES = 600;
    // From a cached lookup to a long agent turn or stream.
    private static final Duration[] BUCKETS = {Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
            Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
            Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60),
            Duration.ofSeconds(120), Duration.ofSeconds(300)};

    private final MeterRegistry registry;
    private final Map<RouteKey, RouteTimers> timers = new ConcurrentHashMap<>();

    HttpMetrics(MeterRegistry registry) {
        this.registry = requireNonNull(registry, "registry is null");
    }

    /** Records one answered request of the route {@code template}, or of no route when it is null. */
    void record(String method, String template, int status, long nanos) {
        // A client may send any method token on an unknown path: only the usual ones become labels.
        RouteKey key = template != null ? new RouteKey(method, template)
                : new RouteKey(KNOWN_METHODS.contains(method) ? method : "OTHER", UNMATCHED);
        RouteTimers route = timers.get(key);
        if (route == null) {
            route = timers.computeIfAbsent(key, RouteTimers::new);
        }
        route.timer(status).record(nanos, TimeUnit.NANOSECONDS);
    }

    private record RouteKey(String method, String route) {
    }

    /** One route's timers, indexed by status code. */
    private final class RouteTimers {
        private final RouteKey key;
        private final AtomicReferenceArray<Timer> byStatus = new AtomicReferenceArray<>(STATUSES);

        RouteTimers(RouteKey key) {
            this.key = key;
        }

        Timer timer(int status) {
            int index = status >= 100 && status < STATUSES ? status : 0;
            Timer timer = byStatus.get(index);
            if (timer == null) {
                // Racing threads get the same meter back from the registry: losing this write is harmless.
                timer = Timer.builder(METRIC)
                        .description("HTTP requests answered, by route template, method and status")
                        .tag("method", key.method())
                        .tag("route", key.route())
                        .tag("status", index == 0 ? "other" : Integer.toString(status))
                        .serviceLevelObjectives(BUCKETS)
                        .register(registry);
                byStatus.set(index, timer);
            }
            return timer;
        }
    }
}
