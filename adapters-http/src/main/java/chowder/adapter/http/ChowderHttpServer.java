package chowder.adapter.http;

import static java.util.Objects.requireNonNull;

import chowder.domain.ChowderException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.http.HttpResponseException;
import io.javalin.json.JavalinJackson;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Set;
import java.util.stream.Collectors;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.StatisticsHandler;

/** The hosted-compatible HTTP API on Javalin (Jetty 12, virtual threads). Start once, stop once. */
public final class ChowderHttpServer {
    static final String SIGNUP = OrganizationRoutes.SIGNUP;

    private final HttpServerConfig config;
    private final Javalin app;

    public ChowderHttpServer(HttpServerConfig config, MetricsConfig metricsConfig, PrometheusMeterRegistry registry, ApiUseCases useCases) {
        this.config = requireNonNull(config, "config is null");
        requireNonNull(metricsConfig, "metricsConfig is null");
        requireNonNull(registry, "registry is null");
        // Virtual threads never reuse a thread-local buffer: parsers and generators share a pool instead of allocating.
        // Every client body is read through this mapper, so its read constraints follow Chowder's limits.
        ObjectMapper json = new ObjectMapper(JsonFactory.builder().recyclerPool(JsonRecyclerPools.sharedConcurrentDequePool())
                .streamReadConstraints(JsonBodies.constraints(config.maxRequestBytes())).build());
        JsonBodies bodies = new JsonBodies(json, config.maxRequestBytes());
        BearerAuthentication authentication = new BearerAuthentication(useCases.authentication());
        ErrorResponses errors = new ErrorResponses(json);
        InstanceRoutes instances = new InstanceRoutes(useCases.registerInstances(), useCases.viewInstances(), useCases.manageInstances(), bodies);
        SessionRoutes sessions = new SessionRoutes(useCases.sessions(), useCases.modelUsage(), json);
        FileRoutes files = new FileRoutes(useCases.files(), bodies, json);
        SkillRoutes skills = new SkillRoutes(useCases.skills(), bodies, json);
        KeyRoutes keys = new KeyRoutes(useCases.keys(), bodies, new KeyJson(json));
        OrganizationRoutes organizations = new OrganizationRoutes(useCases.organizations(), useCases.createOrganization(), bodies, json);
        LimitRoutes limits = new LimitRoutes(useCases.limits(), bodies, json);
        ChannelRoutes channels = new ChannelRoutes(useCases.channels(), bodies, json);
        MetricsEndpoint metricsEndpoint = new MetricsEndpoint(registry, metricsConfig);
        OpenApiDocument openApi = OpenApiDocument.load();
        HttpMetrics httpMetrics = new HttpMetrics(registry);
        AccessLog accessLog = new AccessLog(json);
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
            RequestLog requestLog = new RequestLog(() -> javalin.unsafe.internalRouter, httpMetrics, accessLog);
            javalin.jetty.modifyServer(server -> {
                // The responses routes, before the servlet layer; behind Javalin's statistics, which a graceful stop waits on.
                ResponsesRelay relay = new ResponsesRelay(useCases.responses(), authentication, new ResponsesRequestReader(bodies), errors,
                        requestLog, new StreamEvents(json), registry);
                StatisticsHandler statistics = server.getDescendant(StatisticsHandler.class);
                if (statistics != null) {
                    statistics.insertHandler(relay);
                } else {
                    server.insertHandler(relay);
                }
                // First in the chain: a request reaches it as soon as its headers are parsed.
                server.insertHandler(headerTimeout);
                server.setErrorHandler(new JsonErrorHandler(json));
                // Stopping waits this long for in-flight requests and streams (Javalin's StatisticsHandler tracks them).
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
            javalin.routes.before("/v1/*", ctx -> {
                // Signup (a 404 while it is disabled) and a channel's catalog are the routes without a key.
                if (!ctx.path().equals(SIGNUP) && !ChannelRoutes.isCatalog(ctx)) {
                    authentication.authenticate(ctx);
                }
            });
            if (config.signupEnabled()) {
                javalin.routes.post(SIGNUP, organizations::signup);
            }
            javalin.routes.get("/v1/organization", organizations::get);
            javalin.routes.patch("/v1/organization", organizations::update);
            javalin.routes.get("/v1/subscription", organizations::subscription);
            javalin.routes.post("/v1/subscription/checkout", organizations::billing);
            javalin.routes.post("/v1/subscription/portal", organizations::billing);
            javalin.routes.post("/v1/keys", keys::create);
            javalin.routes.get("/v1/keys", keys::list);
            javalin.routes.get("/v1/keys/{key_id}", keys::get);
            javalin.routes.delete("/v1/keys/{key_id}", keys::revoke);
            javalin.routes.get(LimitRoutes.KEY_LIMITS, limits::keyLimits);
            javalin.routes.put(LimitRoutes.KEY_LIMITS, limits::setKeyLimits);
            javalin.routes.post("/v1/instances", instances::create);
            javalin.routes.get("/v1/instances", instances::list);
            javalin.routes.get("/v1/instances/{id}", instances::get);
            javalin.routes.patch("/v1/instances/{id}", instances::update);
            javalin.routes.delete("/v1/instances/{id}", instances::delete);
            javalin.routes.get("/v1/instances/{id}/status", instances::status);
            javalin.routes.post("/v1/instances/{id}/stop", instances::stop);
            javalin.routes.post("/v1/instances/{id}/start", instances::start);
            // Answered by the relay before Javalin; registered so that Javalin knows them (405s, the route list).
            javalin.routes.post(ResponsesRoute.DEFAULT_SESSION, ChowderHttpServer::servedByTheRelay);
            javalin.routes.post(ResponsesRoute.NAMED_SESSION, ChowderHttpServer::servedByTheRelay);
            javalin.routes.get("/v1/instances/{id}/sessions", sessions::list);
            javalin.routes.get("/v1/instances/{id}/session/{session_id}", sessions::get);
            javalin.routes.delete("/v1/instances/{id}/session/{session_id}", sessions::delete);
            javalin.routes.post("/v1/instances/{id}/session/{session_id}/reset", sessions::reset);
            javalin.routes.get("/v1/instances/{id}/usage", sessions::usage);
            javalin.routes.get(LimitRoutes.SESSION_LIMITS, limits::sessionLimits);
            javalin.routes.put(LimitRoutes.SESSION_LIMITS, limits::setSessionLimits);
            javalin.routes.get(FileRoutes.FILES, files::list);
            javalin.routes.delete(FileRoutes.FILES, files::delete);
            javalin.routes.get(FileRoutes.CONTENT, files::read);
            javalin.routes.put(FileRoutes.CONTENT, files::write);
            javalin.routes.get(FileRoutes.DOWNLOAD, files::download);
            javalin.routes.post(FileRoutes.UPLOAD, files::upload);
            javalin.routes.post(FileRoutes.MOVE, files::move);
            javalin.routes.get(SkillRoutes.SKILLS, skills::list);
            javalin.routes.post(SkillRoutes.INSTALL, skills::install);
            javalin.routes.get(SkillRoutes.SKILL, skills::get);
            javalin.routes.patch(SkillRoutes.SKILL, skills::update);
            javalin.routes.delete(SkillRoutes.SKILL, skills::remove);
            javalin.routes.get(ChannelRoutes.CHANNELS, channels::list);
            javalin.routes.get(ChannelRoutes.CHANNEL, channels::catalog);
            javalin.routes.post(ChannelRoutes.CONNECT, channels::connect);
            javalin.routes.get(ChannelRoutes.STATUS, channels::status);
            javalin.routes.post(ChannelRoutes.PAIR, channels::pair);
            javalin.routes.post(ChannelRoutes.DISCONNECT, channels::disconnect);
            javalin.routes.get(ChannelRoutes.PAIRING, channels::pairing);

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
        throw new IllegalStateException("the responses relay answers " + ctx.method() + " " + ResponsesRoute.DEFAULT_SESSION + " before Javalin");
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

    /** Every registered route as "METHOD /path/{template}" (what the OpenAPI document must describe). */
    Set<String> routes() {
        return app.unsafe.internalRouter.allHttpHandlers().stream()
                .map(parsed -> parsed.endpoint)
                .filter(endpoint -> endpoint.method.isHttpMethod())
                .map(endpoint -> endpoint.method.name() + " " + endpoint.path)
                .collect(Collectors.toSet());
    }
}
