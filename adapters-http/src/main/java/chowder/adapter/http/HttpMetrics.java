package chowder.adapter.http;

import static java.util.Objects.requireNonNull;

import io.javalin.http.HandlerType;
import io.javalin.router.Endpoint;
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
 * per route and status, so a request builds no meter id once its (route, status) has been seen.
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
    private final Map<Endpoint, RouteTimers> matched = new ConcurrentHashMap<>();
    private final Map<String, RouteTimers> unmatched = new ConcurrentHashMap<>();
    private final Map<String, RouteTimers> byTemplate = new ConcurrentHashMap<>();

    HttpMetrics(MeterRegistry registry) {
        this.registry = requireNonNull(registry, "registry is null");
    }

    /** Records one answered request; {@code endpoint} is null when no route matched. */
    void record(Endpoint endpoint, HandlerType method, int status, long nanos) {
        RouteTimers timers = endpoint == null ? unmatchedTimers(method) : matchedTimers(endpoint);
        timers.timer(status).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Records one answered request of a route served outside Javalin (the responses relay). */
    void record(String method, String route, int status, long nanos) {
        RouteTimers timers = byTemplate.get(route);
        if (timers == null) {
            timers = byTemplate.computeIfAbsent(route, r -> new RouteTimers(method, r));
        }
        timers.timer(status).record(nanos, TimeUnit.NANOSECONDS);
    }

    private RouteTimers matchedTimers(Endpoint endpoint) {
        RouteTimers timers = matched.get(endpoint);
        return timers != null ? timers : matched.computeIfAbsent(endpoint, e -> new RouteTimers(e.method.name(), e.path));
    }

    private RouteTimers unmatchedTimers(HandlerType method) {
        // A client may send any method token: only the usual ones become labels.
        String name = KNOWN_METHODS.contains(method.name()) ? method.name() : "OTHER";
        RouteTimers timers = unmatched.get(name);
        return timers != null ? timers : unmatched.computeIfAbsent(name, m -> new RouteTimers(m, UNMATCHED));
    }

    /** One route's timers, indexed by status code. */
    private final class RouteTimers {
        private final String method;
        private final String route;
        private final AtomicReferenceArray<Timer> byStatus = new AtomicReferenceArray<>(STATUSES);

        RouteTimers(String method, String route) {
            this.method = method;
            this.route = route;
        }

        Timer timer(int status) {
            int index = status >= 100 && status < STATUSES ? status : 0;
            Timer timer = byStatus.get(index);
            if (timer == null) {
                // Racing threads get the same meter back from the registry: losing this write is harmless.
                timer = Timer.builder(METRIC)
                        .description("HTTP requests answered, by route template, method and status")
                        .tag("method", method)
                        .tag("route", route)
                        .tag("status", index == 0 ? "other" : Integer.toString(status))
                        .serviceLevelObjectives(BUCKETS)
                        .register(registry);
                byStatus.set(index, timer);
            }
            return timer;
        }
    }
}
