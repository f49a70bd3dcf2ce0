package chowder.adapter.http.skills;

import static org.assertj.core.api.Assertions.assertThat;

import chowder.adapter.http.RoutesHarness;
import chowder.application.port.out.InstanceSkillsPort;
import chowder.application.port.out.SkillCatalogPort;
import chowder.application.port.out.SkillCatalogPort.SkillFile;
import chowder.application.port.out.SkillCatalogPort.SkillPackage;
import chowder.application.port.out.SkillSettingsPort;
import chowder.application.service.ChannelService;
import chowder.application.service.InMemoryChannelSettings;
import chowder.application.service.InMemoryStore;
import chowder.application.service.RecordingProvisioner;
import chowder.application.service.SkillService;
import chowder.application.service.StandInChannels;
import chowder.domain.Instance;
import chowder.domain.InstanceId;
import chowder.domain.SkillSettings;
import chowder.domain.SkillSlug;
import chowder.domain.SkillStatus;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
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
    private RoutesHarness api;
    private String acmeKey;
    private InstanceId instance;
    private String skills;

    @BeforeEach
    void start() {
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
        api = new RoutesHarness(store, new SkillService(store, new RecordingProvisioner(), gateway, catalog, new StoredSettings()),
                new ChannelService(store, new InMemoryChannelSettings(), new StandInChannels(), new SecureRandom()));
        var acme = api.organizations.create("Acme");
        acmeKey = acme.apiKey().value();
        instance = api.provisioned(acme.organization().id(), false).id();
        skills = "/v1/instances/" + instance + "/skills";
    }

    @AfterEach
    void stop() {
        api.close();
    }

    @Test
    void aSlugNoCatalogOffersWithClawHubOffIsANotFoundThatSaysWhereSkillsComeFrom() throws Exception {
        HttpResponse<String> missing = api.send("POST", skills + "/install", acmeKey, "{\"slug\": \"weather-report\"}");

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

        HttpResponse<String> installed = api.send("POST", skills + "/install", acmeKey, request.toString());

        assertThat(installed.statusCode()).as(installed.body()).isEqualTo(200);
        JsonNode answer = JSON.readTree(installed.body());
        assertThat(answer.path("status").asText()).isEqualTo("installed");
        assertThat(answer.path("env_applied").toString()).isEqualTo("[\"TICKET_DESK_TOKEN\",\"TICKET_DESK_URL\"]");
        assertThat(answer.path("required_env").toString()).isEqualTo("[]");
        assertThat(installed.body()).doesNotContain(SECRET);
        // The values did reach the gateway: they were applied, not dropped.
        assertThat(gateway.configured.get("ticket-desk").env()).containsEntry("TICKET_DESK_TOKEN", SECRET);
        for (String path : List.of(skills, skills + "/ticket-desk")) {
            HttpResponse<String> shown = api.send("GET", path, acmeKey, null);
            assertThat(shown.statusCode()).as(shown.body()).isEqualTo(200);
            assertThat(shown.body()).contains("ticket-desk").doesNotContain(SECRET);
        }
    }

    @Test
    void aKeyScopedToTheInstanceNeedsConfigureAndConfigureAloneIsEnough() throws Exception {
        String configureOnly = api.scopedKey(acmeKey, instance, List.of("configure"));
        String everythingElse = api.scopedKey(acmeKey, instance, List.of("read", "interact", "files", "channels"));

        HttpResponse<String> listed = api.send("GET", skills, configureOnly, null);
        assertThat(listed.statusCode()).as(listed.body()).isEqualTo(200);
        assertThat(JSON.readTree(listed.body()).findValuesAsText("name")).contains("weather");
        HttpResponse<String> installed = api.send("POST", skills + "/install", configureOnly, "{\"slug\": \"ticket-desk\"}");
        assertThat(installed.statusCode()).as(installed.body()).isEqualTo(200);
        assertThat(api.send("PATCH", skills + "/ticket-desk", configureOnly, "{\"enabled\": false}").statusCode()).isEqualTo(204);

        for (HttpResponse<String> refused : List.of(api.send("GET", skills, everythingElse, null),
                api.send("POST", skills + "/install", everythingElse, "{\"slug\": \"ticket-desk\"}"),
                api.send("PATCH", skills + "/ticket-desk", everythingElse, "{\"enabled\": true}"),
                api.send("DELETE", skills + "/ticket-desk", everythingElse, null))) {
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(403);
            assertThat(JSON.readTree(refused.body()).path("detail").asText()).contains("configure");
        }
        assertThat(gateway.configured.get("ticket-desk").enabled()).isFalse();
        assertThat(api.send("DELETE", skills + "/ticket-desk", configureOnly, null).statusCode()).isEqualTo(204);
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
