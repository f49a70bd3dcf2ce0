package chowder.adapter.http;

import static org.assertj.core.api.Assertions.assertThat;

import chowder.application.port.out.InstanceSkillsPort;
import chowder.application.port.out.SkillCatalogPort;
import chowder.application.port.out.SkillCatalogPort.SkillFile;
import chowder.application.port.out.SkillCatalogPort.SkillPackage;
import chowder.application.port.out.SkillSettingsPort;
import chowder.application.service.ApiKeyService;
import chowder.application.service.AuthenticationService;
import chowder.application.service.InMemorySessions;
import chowder.application.service.InMemoryStore;
import chowder.application.service.InstanceHealthService;
import chowder.application.service.InstanceLimits;
import chowder.application.service.InstanceService;
import chowder.application.service.KeyUsageRecorder;
import chowder.application.service.OrganizationService;
import chowder.application.service.InMemoryModelUsage;
import chowder.application.service.LimitsService;
import chowder.application.service.ModelUsageRecorder;
import chowder.application.service.ModelUsageService;
import chowder.application.service.TestServices;
import chowder.application.service.RecordingProvisioner;
import chowder.application.service.RecordingGateway;
import chowder.application.service.ResponseService;
import chowder.application.service.ScriptedHealth;
import chowder.application.service.SessionRegistry;
import chowder.application.service.SessionService;
import chowder.application.service.SkillService;
import chowder.application.service.WorkspaceFileService;
import chowder.domain.GatewayToken;
import chowder.domain.GatewayUrl;
import chowder.domain.Instance;
import chowder.domain.InstanceId;
import chowder.domain.InstanceSettings;
import chowder.domain.OrganizationId;
import chowder.domain.SkillSettings;
import chowder.domain.SkillSlug;
import chowder.domain.SkillStatus;
import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The skill routes of a provisioned instance through a real Javalin server, over the real skill service and a stand-in
 * for its gateway: what an install answers (a slug nobody offers, the names of the values given but never the values)
 * and which keys may ask.
 */
class SkillRoutesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SECRET = "desk-token-value-" + java.util.UUID.randomUUID();

    private final InMemoryStore store = new InMemoryStore();
    private final StandInGateway gateway = new StandInGateway();
    private final InMemorySessions sessions = new InMemorySessions();
    private final SessionRegistry registry = new SessionRegistry(sessions);
    private final HttpClient client = HttpClient.newHttpClient();
    private final InMemoryModelUsage modelUsage = new InMemoryModelUsage();
    private ChowderHttpServer server;
    private String acmeKey;
    private String skills;

    @BeforeEach
    void start() {
        Clock clock = Clock.systemUTC();
        OrganizationService organizations = TestServices.organizations(store, clock);
        ScriptedHealth health = new ScriptedHealth();
        InstanceHealthService probes = new InstanceHealthService(store, store, health, Runnable::run, 8, clock);
        InstanceService instances = new InstanceService(store, store, health, probes, new InstanceLimits(3), clock);
        // The operator's catalog offers one skill, which needs a token; ClawHub is off.
        SkillCatalogPort catalog = new SkillCatalogPort() {
            @Override
            public Optional<SkillPackage> find(SkillSlug slug) {
                return slug.value().equals("ticket-desk")
                        ? Optional.of(new SkillPackage(slug, List.of(new SkillFile("SKILL.md", new byte[0], false))))
                        : Optional.empty();
            }

            @Override
            public boolean clawHubAllowed() {
                return false;
            }
        };
        server = new ChowderHttpServer(new HttpServerConfig("127.0.0.1", 0, 64 * 1024, Duration.ZERO, false), MetricsConfig.open(),
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), new ApiUseCases(new AuthenticationService(store, new KeyUsageRecorder(store), clock),
                        new ResponseService(store, new RecordingGateway(), registry, clock), instances, instances, instances, organizations,
                        organizations, new ApiKeyService(store, store, store, new SecureRandom(), clock),
                        new SessionService(store, sessions, sessions, registry), () -> {}, new WorkspaceFileService(store, new NoWorkspaces()),
                        new SkillService(store, new RecordingProvisioner(), gateway, catalog, new StoredSettings()),
                        new LimitsService(store, new ApiKeyService(store, store, store, new SecureRandom(), clock), store, store),
                        new ModelUsageService(store, modelUsage, new ModelUsageRecorder(modelUsage))));
        server.start();
        var acme = organizations.create("Acme");
        acmeKey = acme.apiKey().value();
        skills = "/v1/instances/" + provisioned(acme.organization().id()) + "/skills";
    }

    @AfterEach
    void stop() {
        server.stop();
    }

    @Test
    void aSlugNoCatalogOffersWithClawHubOffIsANotFoundThatSaysWhereSkillsComeFrom() throws Exception {
        HttpResponse<String> missing = send("POST", skills + "/install", acmeKey, "{\"slug\": \"weather-report\"}");

        assertThat(missing.statusCode()).as(missing.body()).isEqualTo(404);
        assertThat(missing.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
        JsonNode body = JSON.readTree(missing.body());
        assertThat(body.properties()).extracting(Map.Entry::getKey).containsExactly("detail");
        assertThat(body.path("detail").asText()).contains("weather-report", "CHOWDER_SKILLS_CATALOG", "CHOWDER_SKILLS_CLAWHUB");
        assertThat(gateway.installed).isEmpty();
    }

    @Test
    void anInstallAnswersTheNamesOfTheValuesItWasGivenNeverTheValues() throws Exception {
        ObjectNode request = JSON.createObjectNode().put("slug", "ticket-desk");
        request.putObject("env").put("TICKET_DESK_URL", SECRET + "-url").put("TICKET_DESK_TOKEN", SECRET);

        HttpResponse<String> installed = send("POST", skills + "/install", acmeKey, request.toString());

        assertThat(installed.statusCode()).as(installed.body()).isEqualTo(200);
        JsonNode answer = JSON.readTree(installed.body());
        assertThat(answer.path("status").asText()).isEqualTo("installed");
        assertThat(answer.path("env_applied").toString()).isEqualTo("[\"TICKET_DESK_TOKEN\",\"TICKET_DESK_URL\"]");
        assertThat(answer.path("required_env").toString()).isEqualTo("[]");
        assertThat(installed.body()).doesNotContain(SECRET);
        // The values did reach the gateway: they were applied, not dropped.
        assertThat(gateway.configured.get("ticket-desk").env()).containsEntry("TICKET_DESK_TOKEN", SECRET);
        for (String path : List.of(skills, skills + "/ticket-desk")) {
            HttpResponse<String> shown = send("GET", path, acmeKey, null);
            assertThat(shown.statusCode()).as(shown.body()).isEqualTo(200);
            assertThat(shown.body()).contains("ticket-desk").doesNotContain(SECRET);
        }
    }

    @Test
    void aKeyScopedToTheInstanceNeedsConfigureAndConfigureAloneIsEnough() throws Exception {
        String configureOnly = scopedKey(List.of("configure"));
        String everythingElse = scopedKey(List.of("read", "interact", "files", "channels"));

        HttpResponse<String> listed = send("GET", skills, configureOnly, null);
        assertThat(listed.statusCode()).as(listed.body()).isEqualTo(200);
        assertThat(JSON.readTree(listed.body()).findValuesAsText("name")).contains("weather");
        HttpResponse<String> installed = send("POST", skills + "/install", configureOnly, "{\"slug\": \"ticket-desk\"}");
        assertThat(installed.statusCode()).as(installed.body()).isEqualTo(200);
        assertThat(send("PATCH", skills + "/ticket-desk", configureOnly, "{\"enabled\": false}").statusCode()).isEqualTo(204);

        for (HttpResponse<String> refused : List.of(send("GET", skills, everythingElse, null),
                send("POST", skills + "/install", everythingElse, "{\"slug\": \"ticket-desk\"}"),
                send("PATCH", skills + "/ticket-desk", everythingElse, "{\"enabled\": true}"),
                send("DELETE", skills + "/ticket-desk", everythingElse, null))) {
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(403);
            assertThat(JSON.readTree(refused.body()).path("detail").asText()).contains("configure");
        }
        assertThat(gateway.configured.get("ticket-desk").enabled()).isFalse();
        assertThat(send("DELETE", skills + "/ticket-desk", configureOnly, null).statusCode()).isEqualTo(204);
    }

    private InstanceId provisioned(OrganizationId organization) {
        Instance instance = Instance.provision(organization, "agent", GatewayUrl.of("http://127.0.0.1:40000"), new GatewayToken("t"),
                InstanceSettings.NONE, java.time.Instant.now());
        store.insertWithinLimit(instance, 10);
        return instance.id();
    }

    private String scopedKey(List<String> permissions) throws Exception {
        ObjectNode body = JSON.createObjectNode().put("name", "scoped");
        body.putArray("instance_ids").add(skills.split("/")[3]);
        permissions.forEach(body.putArray("permissions")::add);
        HttpResponse<String> created = send("POST", "/v1/keys", acmeKey, body.toString());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return JSON.readTree(created.body()).path("raw_key").asText();
    }

    private HttpResponse<String> send(String method, String path, String key, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + key);
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A gateway with one bundled skill, which reports what was installed into it and is given the settings. */
    private static final class StandInGateway implements InstanceSkillsPort {
        final List<String> installed = new ArrayList<>();
        volatile Map<String, SkillSettings> configured = Map.of();

        @Override
        public List<SkillStatus> status(Instance instance) {
            List<SkillStatus> all = new ArrayList<>(List.of(new SkillStatus("weather", "weather", "Weather", "openclaw-bundled",
                    "/opt/openclaw/skills/weather/SKILL.md", Optional.empty(), true, List.of(), Optional.empty())));
            for (String slug : installed) {
                all.add(new SkillStatus(slug, slug, "Files tickets", "openclaw-workspace", "/instance/workspace/skills/" + slug + "/SKILL.md",
                        Optional.of(slug), true, List.of(), Optional.empty()));
            }
            return all;
        }

        @Override
        public String install(Instance instance, SkillPackage skill) {
            installed.add(skill.slug().value());
            return "Copied 1 file";
        }

        @Override
        public String installFromClawHub(Instance instance, String reference, SkillSlug slug) {
            throw new AssertionError("ClawHub is off");
        }

        @Override
        public void uninstall(Instance instance, String directory) {
            installed.remove(directory);
        }

        @Override
        public void configure(Instance instance, Map<String, SkillSettings> settings) {
            configured = Map.copyOf(settings);
        }
    }

    private static final class StoredSettings implements SkillSettingsPort {
        private final Map<String, SkillSettings> stored = new ConcurrentHashMap<>();

        @Override
        public Map<String, SkillSettings> listByInstance(InstanceId instance) {
            return Map.copyOf(stored);
        }

        @Override
        public void save(InstanceId instance, String skillKey, SkillSettings settings) {
            stored.put(skillKey, settings);
        }

        @Override
        public void delete(InstanceId instance, String skillKey) {
            stored.remove(skillKey);
        }

        @Override
        public void deleteAll(InstanceId instance) {
            stored.clear();
        }
    }
}
