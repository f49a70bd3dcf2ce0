package chowder.adapter.http;

import static org.assertj.core.api.Assertions.assertThat;

import chowder.application.port.in.ManageChannelsUseCase;
import chowder.application.port.in.ManageSkillsUseCase;
import chowder.application.port.out.AgentGatewayPort;
import chowder.application.service.ApiKeyService;
import chowder.application.service.AuthenticationService;
import chowder.application.service.InMemoryModelUsage;
import chowder.application.service.InMemorySessions;
import chowder.application.service.InMemoryStore;
import chowder.application.service.InstanceHealthService;
import chowder.application.service.InstanceLimits;
import chowder.application.service.InstanceService;
import chowder.application.service.KeyUsageRecorder;
import chowder.application.service.LimitsService;
import chowder.application.service.ModelUsageRecorder;
import chowder.application.service.ModelUsageService;
import chowder.application.service.OrganizationService;
import chowder.application.service.RecordingGateway;
import chowder.application.service.ResponseService;
import chowder.application.service.ScriptedHealth;
import chowder.application.service.SessionRegistry;
import chowder.application.service.SessionService;
import chowder.application.service.TestServices;
import chowder.application.service.WorkspaceFileService;
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

/**
 * A real Javalin server over the real services and in-memory stores, for the tests of one group of routes: the test
 * gives the use case under test (skills or channels, over a stand-in for the gateway) and talks HTTP to it.
 */
final class RoutesHarness implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    final InMemoryStore store;
    final OrganizationService organizations;
    private final HttpClient client = HttpClient.newHttpClient();
    private final ChowderHttpServer server;

    /** @param store the store the given use cases work on too */
    RoutesHarness(InMemoryStore store, ManageSkillsUseCase skills, ManageChannelsUseCase channels) {
        this(store, skills, channels, new RecordingGateway());
    }

    /** With {@code gateway} behind the responses routes. */
    RoutesHarness(InMemoryStore store, ManageSkillsUseCase skills, ManageChannelsUseCase channels, AgentGatewayPort gateway) {
        Clock clock = Clock.systemUTC();
        this.store = store;
        this.organizations = TestServices.organizations(store, clock);
        ScriptedHealth health = new ScriptedHealth();
        InstanceHealthService probes = new InstanceHealthService(store, store, health, Runnable::run, 8, clock);
        InstanceService instances = new InstanceService(store, store, health, probes, new InstanceLimits(3), clock);
        InMemorySessions sessions = new InMemorySessions();
        SessionRegistry registry = new SessionRegistry(sessions);
        InMemoryModelUsage modelUsage = new InMemoryModelUsage();
        ApiKeyService keys = new ApiKeyService(store, store, store, new SecureRandom(), clock);
        server = new ChowderHttpServer(new HttpServerConfig("127.0.0.1", 0, 64 * 1024, Duration.ZERO, false), MetricsConfig.open(),
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), new ApiUseCases(new AuthenticationService(store, new KeyUsageRecorder(store), clock),
                        new ResponseService(store, gateway, registry, clock), instances, instances, instances, organizations,
                        organizations, keys, new SessionService(store, sessions, sessions, registry), () -> {},
                        new WorkspaceFileService(store, new NoWorkspaces()), skills, new LimitsService(store, keys, store, store),
                        new ModelUsageService(store, modelUsage, new ModelUsageRecorder(modelUsage)), channels));
        server.start();
    }

    /** A provisioned instance of the organization, running unless {@code running} is false (then it is starting). */
    Instance provisioned(OrganizationId organization, boolean running) {
        Instant now = Instant.now();
        Instance instance = Instance.provision(organization, "agent", GatewayUrl.of("http://127.0.0.1:40000"), new GatewayToken("t"),
                InstanceSettings.NONE, now);
        Instance stored = running ? instance.observed(Optional.empty(), now) : instance;
        store.insertWithinLimit(stored, 10);
        return stored;
    }

    /** A key of the organization for one instance, with these permissions. */
    String scopedKey(String organizationKey, InstanceId instance, List<String> permissions) throws Exception {
        ObjectNode body = JSON.createObjectNode().put("name", "scoped");
        body.putArray("instance_ids").add(instance.toString());
        permissions.forEach(body.putArray("permissions")::add);
        HttpResponse<String> created = send("POST", "/v1/keys", organizationKey, body.toString());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return JSON.readTree(created.body()).path("raw_key").asText();
    }

    /** A request with a JSON body (or none) and, unless {@code key} is null, a bearer key. */
    HttpResponse<String> send(String method, String path, String key, String body) throws Exception {
        return send(client, server.port(), method, path, key, body);
    }

    int port() {
        return server.port();
    }

    /** A request to a server on loopback {@code port}, as {@link #send(String, String, String, String)}. */
    static HttpResponse<String> send(HttpClient client, int port, String method, String path, String key, String body) throws Exception {
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
