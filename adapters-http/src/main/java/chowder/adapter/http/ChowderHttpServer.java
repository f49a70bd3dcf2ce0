package chowder.adapter.http;

import static java.util.Objects.requireNonNull;

import chowder.adapter.http.admin.AdminRoutes;
import chowder.adapter.http.channels.ChannelRoutes;
import chowder.adapter.http.console.ConsoleFiles;
import chowder.adapter.http.console.ConsoleRoutes;
import chowder.adapter.http.files.FileRoutes;
import chowder.adapter.http.instances.InstanceRoutes;
import chowder.adapter.http.keys.KeyRoutes;
import chowder.adapter.http.limits.LimitRoutes;
import chowder.adapter.http.observability.MetricsEndpoint;
import chowder.adapter.http.observability.RequestIds;
import chowder.adapter.http.observability.RequestLog;
import chowder.adapter.http.organizations.OrganizationRoutes;
import chowder.adapter.http.responses.ResponsesRelay;
import chowder.adapter.http.sessions.SessionRoutes;
import chowder.adapter.http.skills.SkillRoutes;
import chowder.domain.ChowderException;
import chowder.domain.MemoryBudget;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.http.HttpResponseException;
import io.javalin.json.JavalinJackson;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.ServerConnector;

/** The hosted-compatible HTTP API on Javalin (Jetty 12, virtual threads). Start once, stop once. */
public final class ChowderHttpServer {
    private final HttpServerConfig config;
    private final Javalin app;

    /** With a budget of its own for the request bodies it holds ({@code CHOWDER_REQUEST_BUFFERED_BYTES_MAX}). */
    public ChowderHttpServer(HttpServerConfig config, MetricsConfig metricsConfig, PrometheusMeterRegistry registry, ApiUseCases useCases) {
        this(config, metricsConfig, registry, useCases,
                JsonBodies.heldBodies(config.requestBufferedBytesMax(), config.requestBufferedBytesPerOrganization()));
    }

    /** @param heldBodies what the request bodies it holds may take, shared with the model endpoint */
    public ChowderHttpServer(HttpServerConfig config, MetricsConfig metricsConfig, PrometheusMeterRegistry registry, ApiUseCases useCases,
            MemoryBudget heldBodies) {
        this.config = requireNonNull(config, "config is null");
        requireNonNull(metricsConfig, "metricsConfig is null");
        requireNonNull(registry, "registry is null");
        // Virtual threads never reuse a thread-local buffer: parsers and generators share a pool instead of allocating.
        // Every client body is read through this mapper, so its read constraints follow Chowder's limits.
        ObjectMapper json = new ObjectMapper(JsonFactory.builder().recyclerPool(JsonRecyclerPools.sharedConcurrentDequePool())
                .streamReadConstraints(JsonBodies.constraints(config.maxRequestBytes())).build());
        requireNonNull(heldBodies, "heldBodies is null");
        Gauge.builder(JsonBodies.HELD_BYTES_METRIC, heldBodies, MemoryBudget::total)
                .description("Bytes of request bodies held in memory right now (turns, other JSON bodies, model calls), against "
                        + "CHOWDER_REQUEST_BUFFERED_BYTES_MAX")
                .baseUnit("bytes")
                .register(registry);
        JsonBodies bodies = new JsonBodies(json, config.maxRequestBytes(), config.maxControlBodyBytes(), heldBodies);
        BearerAuthentication authentication = new BearerAuthentication(useCases.authentication());
        ErrorResponses errors = new ErrorResponses(json);
        InstanceRoutes instances = new InstanceRoutes(useCases.registerInstances(), useCases.viewInstances(), useCases.manageInstances(), bodies);
        SessionRoutes sessions = new SessionRoutes(useCases.sessions(), useCases.modelUsage(), json);
        FileRoutes files = new FileRoutes(useCases.files(), bodies, json, config.maxFileTransfersPerOrganization());
        SkillRoutes skills = new SkillRoutes(useCases.skills(), bodies, json);
        KeyRoutes keys = new KeyRoutes(useCases.keys(), bodies, json);
        OrganizationRoutes organizations = new OrganizationRoutes(useCases.organizations(), useCases.createOrganization(), bodies, json);
        LimitRoutes limits = new LimitRoutes(useCases.limits(), bodies, json);
        ChannelRoutes channels = new ChannelRoutes(useCases.channels(), bodies, json);
        Optional<AdminRoutes> admin = config.adminToken().map(token -> new AdminRoutes(useCases.administration(), token, bodies, json));
        MetricsEndpoint metricsEndpoint = new MetricsEndpoint(registry, metricsConfig);
        OpenApiDocument openApi = OpenApiDocument.load();
        HeaderTimeout headerTimeout = new HeaderTimeout(config.headerTimeout());

        this.app = Javalin.create(javalin -> {
            javalin.startup.showJavalinBanner = false;
            javalin.startup.showOldJavalinVersionWarning = false;
            javalin.concurrency.useVirtualThreads = true;
            javalin.jsonMapper(new JavalinJackson(json, true));
            javalin.http.maxRequestSize = config.maxRequestBytes();
            // Answers are relayed as the gateway sent them; compressing would buffer streams.
            javalin.http.compressionStrategy = CompressionStrategy.NONE;
            // A known path with another method is a 405 naming the methods it has (RFC 9110), not a "Not found".
            javalin.http.prefer405over404 = true;
            javalin.jetty.addConnector((server, http) -> {
                // Jetty reuses a header a connection sent before when a new one equals it ignoring case: a credential
                // differing only in case from the last one would be read as that one.
                http.setHeaderCacheCaseSensitive(true);
                ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
                connector.setHost(config.host());
                connector.setPort(config.port());
                connector.setAcceptQueueSize(config.acceptQueueSize());
                connector.addEventListener(headerTimeout.connections());
                return connector;
            });
            // Session ids may contain '/', sent as %2F: Jetty must let such a path reach the route.
            javalin.jetty.modifyServletContextHandler(handler -> {
                handler.getServletHandler().setDecodeAmbiguousURIs(true);
                handler.setErrorHandler(new JsonErrorHandler(json));
            });
            // Runs once per answered request, errors and streams included: metrics and the access log.
            // The router is read when a request finishes: by then it holds every route.
            RequestLog requestLog = new RequestLog(() -> javalin.unsafe.internalRouter, registry);
            javalin.jetty.modifyServer(server -> {
                // The responses routes, before the servlet layer and before Javalin's StatisticsHandler, whose wrappers of each
                // request, response and write nothing reads (Jetty 12's graceful stop is the connectors', which wait for
                // every connection's exchange, the relay's too: GracefulShutdownTest).
                ResponsesRelay relay = new ResponsesRelay(useCases.responses(), authentication, bodies, errors, requestLog, json, registry,
                        config.refusedBodyLinger(), heldBodies);
                server.insertHandler(relay);
                // The control plane's routes drain a body they answered without reading, as the relay does its own.
                if (!config.refusedBodyLinger().isZero()) {
                    relay.insertHandler(new UnreadBodyLinger(config.refusedBodyLinger()));
                }
                // Outside the relay and the control plane's drain, so that every read of a body, a drain's too, is rated.
                if (config.minBodyBytesPerSecond() > 0) {
                    server.insertHandler(new MinimumBodyRate(config.minBodyBytesPerSecond()));
                }
                // First in the chain: a request reaches it as soon as its headers are parsed.
                server.insertHandler(headerTimeout);
                server.setErrorHandler(new JsonErrorHandler(json));
                // Stopping waits this long for in-flight requests and streams (the connectors wait for their connections).
                server.setStopTimeout(config.shutdownGrace().toMillis());
            });

            javalin.requestLogger.http(requestLog::finished);
            // First of all, so that every answer, errors included, carries the request's id.
            javalin.routes.before(RequestIds::assign);

            // Unauthenticated probes for load balancers: alive, and able to serve (database reachable and migrated).
            javalin.routes.get("/healthz", ctx -> ctx.json(java.util.Map.of("status", "live")));
            javalin.routes.get("/readyz", ctx -> {
                useCases.readiness().requireReady();
                ctx.json(java.util.Map.of("status", "ready"));
            });
            if (metricsConfig.enabled()) {
                javalin.routes.get(MetricsEndpoint.PATH, metricsEndpoint::scrape);
            }
            javalin.routes.get(OpenApiDocument.PATH, openApi::serve);
            // The browser console: static files outside /v1, so the key filter below never sees them.
            new ConsoleRoutes(ConsoleFiles.load()).register(javalin.routes);
            javalin.routes.before("/v1/*", ctx -> {
                // The admin API has a token of its own and no key; while it is off no route answers its paths: the same 404
                // as any unknown path, so nothing tells that it exists.
                if (AdminRoutes.isAdminPath(ctx.path())) {
                    return;
                }
                // Signup (a 404 while it is disabled) and a channel's catalog are the routes without a key.
                if (!ctx.path().equals(OrganizationRoutes.SIGNUP) && !ChannelRoutes.isCatalog(ctx)) {
                    authentication.authenticate(ctx);
                }
            });
            admin.ifPresent(routes -> routes.register(javalin.routes));
            organizations.register(javalin.routes, config.signupEnabled());
            keys.register(javalin.routes);
            limits.register(javalin.routes);
            instances.register(javalin.routes);
            // Answered by the relay before Javalin; registered so that Javalin knows them (405s, the route list).
            javalin.routes.post(ResponsesRelay.DEFAULT_SESSION_ROUTE, ChowderHttpServer::servedByTheRelay);
            javalin.routes.post(ResponsesRelay.NAMED_SESSION_ROUTE, ChowderHttpServer::servedByTheRelay);
            sessions.register(javalin.routes);
            files.register(javalin.routes);
            skills.register(javalin.routes);
            channels.register(javalin.routes);

            javalin.routes.exception(ChowderException.class, errors::chowder);
            javalin.routes.exception(HttpResponseException.class, (error, ctx) -> {
                if (error.getStatus() == 405) {
                    ctx.header("Allow", allowedMethods(javalin.unsafe.internalRouter, ctx.path()));
                }
                errors.framework(error, ctx);
            });
            javalin.routes.exception(UnreadableRequestBody.class, errors::unreadableBody);
            javalin.routes.exception(Exception.class, errors::unexpected);
        });
    }

    private static void servedByTheRelay(io.javalin.http.Context ctx) {
        throw new IllegalStateException("the responses relay answers " + ctx.method() + " " + ResponsesRelay.DEFAULT_SESSION_ROUTE + " before Javalin");
    }

    /** The methods {@code path} has routes for, as an {@code Allow} header lists them. */
    private static String allowedMethods(io.javalin.router.InternalRouter router, String path) {
        return java.util.stream.Stream.of(io.javalin.http.HandlerType.GET, io.javalin.http.HandlerType.POST, io.javalin.http.HandlerType.PUT,
                        io.javalin.http.HandlerType.PATCH, io.javalin.http.HandlerType.DELETE)
                .filter(method -> router.hasHttpHandlerEntry(method, path))
                .map(Object::toString)
                .collect(java.util.stream.Collectors.joining(", "));
    }

    public void start() {
        app.start();
    }

    /** The port it listens on (the configured one, or the one chosen for port 0). */
    public int port() {
        return app.port();
    }

    public void stop() {
        app.stop();
    }

    public HttpServerConfig config() {
        return config;
    }

    /** Every registered API route as "METHOD /path/{template}" (what the OpenAPI document must describe): the console's pages are not API. */
    Set<String> routes() {
        return app.unsafe.internalRouter.allHttpHandlers().stream()
                .map(parsed -> parsed.endpoint)
                .filter(endpoint -> endpoint.method.isHttpMethod())
                .filter(endpoint -> !ConsoleRoutes.isConsole(endpoint.path))
                .map(endpoint -> endpoint.method.name() + " " + endpoint.path)
                .collect(Collectors.toSet());
    }
}
