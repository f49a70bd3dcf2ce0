package chowder.adapter.http;

import static org.assertj.core.api.Assertions.assertThat;

import chowder.adapter.http.admin.AdminToken;
import chowder.application.port.in.ManageChannelsUseCase;
import chowder.application.port.in.ManageSkillsUseCase;
import chowder.application.port.out.AgentGatewayPort;
import chowder.application.port.out.InstanceProvisionerPort;
import chowder.application.port.out.SkillCatalogPort;
import chowder.application.port.out.SkillSettingsPort;
import chowder.application.service.ApiKeyService;
import chowder.application.service.AuthenticationService;
import chowder.application.service.ChannelService;
import chowder.application.service.InMemoryChannelSettings;
import chowder.application.service.InMemoryLimitCounters;
import chowder.application.service.InMemoryModelUsage;
import chowder.application.service.InMemorySessions;
import chowder.application.service.InMemoryStore;
import chowder.application.service.InstanceHealthService;
import chowder.application.service.InstanceLimits;
import chowder.application.service.KeyLimits;
import chowder.application.service.InstanceService;
import chowder.application.service.KeyUsageRecorder;
import chowder.application.service.LimitsService;
import chowder.application.service.ModelRefusals;
import chowder.application.service.ModelUsageRecorder;
import chowder.application.service.ModelUsageService;
import chowder.application.service.OrganizationAdministrationService;
import chowder.application.service.OrganizationService;
import chowder.application.service.RecordingGateway;
import chowder.application.service.ResponseService;
import chowder.application.service.ScriptedHealth;
import chowder.application.service.SessionRegistry;
import chowder.application.service.SessionService;
import chowder.application.service.SkillService;
import chowder.application.service.StandInChannels;
import chowder.application.service.TestServices;
import chowder.application.service.UsageLimiter;
import chowder.application.service.WorkspaceFileService;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.GatewayToken;
import chowder.domain.GatewayUrl;
import chowder.domain.Instance;
import chowder.domain.InstanceId;
import chowder.domain.InstanceSettings;
import chowder.domain.OrganizationId;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A real Javalin server over the real services and in-memory stores, for the tests of one group of routes: the test
 * may give the use cases under test (skills or channels, over a stand-in for the gateway) and the gateway behind the
 * responses routes, and talks HTTP to it. Signup and the admin API are on, so that every route is registered.
 */
public final class RoutesHarness implements AutoCloseable {
    /** The largest request body the server accepts. */
    public static final long MAX_BODY = 64 * 1024;
    /** The operator's admin token of every harness but those made {@link #withoutAdminApi}. */
    public static final String ADMIN_TOKEN = "admin-token-of-the-tests-0123456789abcdef";
    private static final ObjectMapper JSON = new ObjectMapper();

    public final InMemoryStore store;
    public final OrganizationService organizations;
    /** What the instances' health probes find (e.g. forbidden hosts). */
    public final ScriptedHealth health = new ScriptedHealth();
    /** Where the server records its metrics. */
    public final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final HttpClient client = HttpClient.newHttpClient();
    private final ChowderHttpServer server;
    private volatile boolean ready = true;

    /** Over {@code gateway}, with the skills and channels of an instance that has none. */
    public RoutesHarness(AgentGatewayPort gateway) {
        this(new InMemoryStore(), gateway, true);
    }

    /** As {@link #RoutesHarness(AgentGatewayPort)} with no admin token: the admin API is off. */
    public static RoutesHarness withoutAdminApi(AgentGatewayPort gateway) {
        return new RoutesHarness(new InMemoryStore(), gateway, false);
    }

    private RoutesHarness(InMemoryStore store, AgentGatewayPort gateway, boolean adminApi) {
        this(store, new SkillService(store, InstanceProvisionerPort.DISABLED, new NoInstanceSkills(), SkillCatalogPort.NONE, SkillSettingsPort.NONE),
                new ChannelService(store, new InMemoryChannelSettings(), new StandInChannels(), new SecureRandom()), gateway, adminApi);
    }

    /** @param store the store the given use cases work on too */
    public RoutesHarness(InMemoryStore store, ManageSkillsUseCase skills, ManageChannelsUseCase channels) {
        this(store, skills, channels, new RecordingGateway());
    }

    /** With {@code gateway} behind the responses routes. */
    public RoutesHarness(InMemoryStore store, ManageSkillsUseCase skills, ManageChannelsUseCase channels, AgentGatewayPort gateway) {
        this(store, skills, channels, gateway, true);
    }

    private RoutesHarness(InMemoryStore store, ManageSkillsUseCase skills, ManageChannelsUseCase channels, AgentGatewayPort gateway,
            boolean adminApi) {
        Clock clock = Clock.systemUTC();
        this.store = store;
        this.organizations = TestServices.organizations(store, new InstanceLimits(3), clock);
        InstanceHealthService probes = new InstanceHealthService(store, store, health, Runnable::run, 8, clock);
        InstanceService instances = new InstanceService(store, store, health, probes, new InstanceLimits(3), clock);
        InMemorySessions sessions = new InMemorySessions();
        SessionRegistry sessionRegistry = new SessionRegistry(sessions);
        InMemoryModelUsage modelUsage = new InMemoryModelUsage();
        ApiKeyService keys = new ApiKeyService(store, store, store, KeyLimits.DEFAULT, new SecureRandom(), clock);
        UsageLimiter limiter = new UsageLimiter(store, new InMemoryLimitCounters(), clock);
        LimitsService limits = new LimitsService(store, keys, store, store);
        HttpServerConfig config = new HttpServerConfig("127.0.0.1", 0, MAX_BODY, Duration.ZERO, true);
        server = new ChowderHttpServer(adminApi ? config.withAdminToken(new AdminToken(ADMIN_TOKEN)) : config, MetricsConfig.open(),
                registry, new ApiUseCases(new AuthenticationService(store, store, new KeyUsageRecorder(store), clock),
                        new ResponseService(store, gateway, sessionRegistry, limiter, new ModelRefusals(), clock), instances, instances, instances,
                        organizations, organizations, keys, new SessionService(store, sessions, sessions, sessionRegistry), this::requireReady,
                        new WorkspaceFileService(store, new NoWorkspaces()), skills, limits,
                        new ModelUsageService(store, modelUsage, new ModelUsageRecorder(modelUsage)), channels,
                        new OrganizationAdministrationService(organizations, store, keys, limits, store, sessions, sessionRegistry, clock)));
        server.start();
    }

    private void requireReady() {
        if (!ready) {
            throw new ChowderException(ErrorCode.NOT_READY, "Not ready: the database is unreachable.");
        }
    }

    /** Whether the readiness check passes (as with a reachable database). */
    public void ready(boolean ready) {
        this.ready = ready;
    }

    /** A new organization's key. */
    public String organizationKey(String name) {
        return organizations.create(name).apiKey().value();
    }

    /** Registers an instance through the API with {@code key}; its id. */
    public String register(String key) throws Exception {
        HttpResponse<String> created = send("POST", "/v1/instances", key,
                "{\"name\":\"bot\",\"gateway_url\":\"http://127.0.0.1:18789\",\"gateway_token\":\"t\"}");
        return JSON.readTree(created.body()).path("id").asText();
    }

    /** A provisioned instance of the organization, running unless {@code running} is false (then it is starting). */
    public Instance provisioned(OrganizationId organization, boolean running) {
        Instant now = Instant.now();
        Instance instance = Instance.provision(organization, "agent", GatewayUrl.of("http://127.0.0.1:40000"), new GatewayToken("t"),
                InstanceSettings.NONE, now);
        Instance stored = running ? instance.observed(Optional.empty(), now) : instance;
        store.insertWithinLimit(stored, 10);
        return stored;
    }

    /** A key of the organization for one instance, with these permissions. */
    public String scopedKey(String organizationKey, InstanceId instance, List<String> permissions) throws Exception {
        ObjectNode body = JSON.createObjectNode().put("name", "scoped");
        body.putArray("instance_ids").add(instance.toString());
        permissions.forEach(body.putArray("permissions")::add);
        HttpResponse<String> created = send("POST", "/v1/keys", organizationKey, body.toString());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return JSON.readTree(created.body()).path("raw_key").asText();
    }

    /** A request with a JSON body (or none) and, unless {@code key} is null, a bearer key. */
    public HttpResponse<String> send(String method, String path, String key, String body) throws Exception {
        return send(client, server.port(), method, path, key, body);
    }

    /** A POST with {@code key} whose body has no declared length (sent in chunks). */
    public HttpResponse<String> sendChunked(String path, String key, byte[] body) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)))
                .header("Authorization", "Bearer " + key).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The {@code detail} of a JSON error answer. */
    public static String detail(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body()).path("detail").asText();
    }

    public int port() {
        return server.port();
    }

    /** Every registered route as "METHOD /path/{template}". */
    Set<String> routes() {
        return server.routes();
    }

    /** A request to a server on loopback {@code port}, as {@link #send(String, String, String, String)}. */
    public static HttpResponse<String> send(HttpClient client, int port, String method, String path, String key, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() {
        server.stop();
    }
}
