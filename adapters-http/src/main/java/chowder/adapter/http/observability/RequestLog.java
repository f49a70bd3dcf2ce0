package chowder.adapter.http.observability;

import static java.util.Objects.requireNonNull;

import chowder.adapter.http.BearerAuthentication;
import chowder.domain.Caller;
import chowder.domain.InstanceId;
import io.javalin.http.Context;
import io.javalin.router.Endpoint;
import io.javalin.router.InternalRouter;
import io.javalin.router.ParsedEndpoint;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import org.slf4j.MDC;

/**
 * Javalin's request logger: runs once every request has been answered (errors and streams included), records
 * its metrics and writes its access log line.
 */
public final class RequestLog {
    private final Supplier<InternalRouter> router;
    private final HttpMetrics metrics;
    private final AccessLog accessLog;

    /** Records into {@code registry}. */
    public RequestLog(Supplier<InternalRouter> router, MeterRegistry registry) {
        this.router = requireNonNull(router, "router is null");
        this.metrics = new HttpMetrics(registry);
        this.accessLog = new AccessLog();
    }

    public void finished(Context ctx, Float executionTimeMs) {
        try {
            long nanos = (long) (executionTimeMs * 1_000_000);
            Route route = route(ctx);
            int status = ctx.statusCode();
            // A matched request is labelled with its endpoint's method, an unmatched one with its own (HttpMetrics sanitises it).
            String method = route.endpoint() == null ? ctx.method().name() : route.endpoint().method.name();
            metrics.record(method, route.endpoint() == null ? null : route.endpoint().path, status, nanos);
            if (accessLog.enabled()) {
                Caller caller = BearerAuthentication.find(ctx);
                accessLog.write(new AccessLog.Entry(Instant.now(), RequestIds.of(ctx), ctx.method().name(),
                        route.endpoint() == null ? HttpMetrics.UNMATCHED : route.endpoint().path, status, nanos,
                        caller == null ? null : caller.organizationId().toString(), instanceId(route.pathParams().get("id")),
                        ctx.req().getContentLengthLong()));
            }
        } finally {
            MDC.remove(RequestIds.MDC_KEY);
        }
    }

    /**
     * A request answered outside Javalin (the responses relay), with what it knows of itself: its caller and instance
     * are null when they were not resolved (no valid key, or no instance id in the path).
     */
    public void finished(String method, String route, int status, long nanos, String requestId, Caller caller, InstanceId instance,
            long requestBytes) {
        metrics.record(method, route, status, nanos);
        if (accessLog.enabled()) {
            accessLog.write(new AccessLog.Entry(Instant.now(), requestId, method, route, status, nanos,
                    caller == null ? null : caller.organizationId().toString(), instance == null ? null : instance.toString(), requestBytes));
        }
    }

    /** The matched endpoint and its path parameters, also for requests stopped before their handler ran (401, 403). */
    private Route route(Context ctx) {
        Endpoint ran = ctx.endpoints().lastHttpEndpoint();
        if (ran != null) {
            return new Route(ran, ctx.pathParamMap());
        }
        String path = ctx.path();
        String requestUri = path.startsWith(ctx.contextPath()) ? path.substring(ctx.contextPath().length()) : path;
        ParsedEndpoint parsed = router.get().findFirstHttpHandlerEntry(ctx.method(), requestUri);
        return parsed == null ? new Route(null, Map.of()) : new Route(parsed.endpoint, parsed.extractPathParams(requestUri));
    }

    /** The instance of a Javalin instance route, if its id is one (anything else is a 404 and not worth a log field). */
    private static String instanceId(String id) {
        if (id == null || id.length() != 36) {
            return null;
        }
        try {
            return UUID.fromString(id).toString();
        } catch (IllegalArgumentException notAUuid) {
            return null;
        }
    }

    private record Route(Endpoint endpoint, Map<String, String> pathParams) {
    }
}
