package chowder.application.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chowder.application.port.in.ManageSkillsUseCase.SkillInstallation;
import chowder.application.port.out.InstanceProvisionerPort;
import chowder.application.port.out.SkillCatalogPort;
import chowder.application.port.out.SkillCatalogPort.SkillFile;
import chowder.application.port.out.SkillCatalogPort.SkillPackage;
import chowder.domain.Caller;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.GatewayToken;
import chowder.domain.GatewayUrl;
import chowder.domain.Instance;
import chowder.domain.InstanceSettings;
import chowder.domain.SkillSettingsPatch;
import chowder.domain.SkillSlug;
import chowder.domain.SkillStatus;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The skill rules Chowder owns, over stand-ins for the gateway (which reports skills) and the stores: which instances
 * have skills, where a slug comes from, what an install still needs, and which settings the gateway is given.
 */
class SkillServiceTest {
    private static final Instant NOW = Instant.parse("2026-12-04T10:00:00Z");
    private final InMemoryStore store = new InMemoryStore();
    private final OrganizationService organizations = TestServices.organizations(store, Clock.systemUTC());
    private final AuthenticationService authentication = new AuthenticationService(store, store, new KeyUsageRecorder(store), Clock.systemUTC());
    private final StandInSkills gateway = new StandInSkills();
    private final InMemorySkillSettings settings = new InMemorySkillSettings(store);
    private final Map<String, SkillPackage> catalog = new TreeMap<>();
    private boolean clawHub;
    private final RecordingProvisioner provisioner = new RecordingProvisioner();
    private final SkillService skills = new SkillService(store, provisioner, gateway, new SkillCatalogPort() {
        @Override
        public Optional<SkillPackage> find(SkillSlug slug) {
            return Optional.ofNullable(catalog.get(slug.value()));
        }

        @Override
        public boolean clawHubAllowed() {
            return clawHub;
        }
    }, settings);
    private final Caller acme = caller("Acme");

    @Test
    void aSlugNeitherInTheCatalogNorAllowedFromClawHubIsNotFoundAndSaysWhereSkillsComeFrom() {
        Instance instance = provisioned(acme);

        assertThatThrownBy(() -> skills.install(acme, instance.id(), "weather-report", Map.of()))
                .isInstanceOfSatisfying(ChowderException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.SKILL_NOT_FOUND);
                    assertThat(e.getMessage()).contains("CHOWDER_SKILLS_CATALOG", "CHOWDER_SKILLS_CLAWHUB");
                });
        assertThat(gateway.installed).isEmpty();

        clawHub = true;
        skills.install(acme, instance.id(), "@someone/weather-report", Map.of());
        assertThat(gateway.fromClawHub).containsExactly("@someone/weather-report");
    }

    @Test
    void anInstallNeedsOnlyWhatItWasNotGivenAndTheGatewayGetsTheValues() {
        Instance instance = provisioned(acme);
        catalog.put("ticket-desk", new SkillPackage(new SkillSlug("ticket-desk"), List.of(new SkillFile("SKILL.md", new byte[0], false))));
        gateway.requires.put("ticket-desk", List.of("TICKET_TOKEN", "TICKET_URL"));

        SkillInstallation partly = skills.install(acme, instance.id(), "ticket-desk", Map.of("TICKET_URL", "https://desk.example"));

        assertThat(partly.requiredEnv()).containsExactly("TICKET_TOKEN");
        assertThat(partly.envApplied()).containsExactly("TICKET_URL");
        assertThat(partly.message()).contains("TICKET_TOKEN", "PATCH").doesNotContain("desk.example");
        assertThat(gateway.configured.get("ticket-desk").env()).containsEntry("TICKET_URL", "https://desk.example");

        // The apiKey fills the skill's primary variable; a later install keeps what was set.
        skills.update(acme, instance.id(), "ticket-desk", new SkillSettingsPatch(Optional.empty(), Optional.of("tok"), Map.of(), Map.of()));
        SkillInstallation again = skills.install(acme, instance.id(), "ticket-desk", Map.of());
        assertThat(again.requiredEnv()).isEmpty();
        assertThat(again.missingEnv()).isFalse();
        assertThat(settings.listByInstance(instance.id()).get("ticket-desk")).satisfies(stored -> {
            assertThat(stored.apiKey()).isEqualTo("tok");
            assertThat(stored.env()).containsEntry("TICKET_URL", "https://desk.example");
        });
    }

    @Test
    void onlyARunningOrStartingProvisionedInstanceOfTheCallersOrganizationHasSkills() {
        Instance registered = Instance.register(acme.organizationId(), "registered", GatewayUrl.of("http://127.0.0.1:18789"),
                new GatewayToken("t"), InstanceSettings.NONE, NOW);
        store.insertWithinLimit(registered, 10);
        assertCode(() -> skills.list(acme, registered.id(), false), ErrorCode.INSTANCE_STATE_CONFLICT);

        Instance stopped = provisioned(acme).stop(NOW);
        store.instances.replaceAll(each -> each.id().equals(stopped.id()) ? stopped : each);
        assertCode(() -> skills.list(acme, stopped.id(), false), ErrorCode.INSTANCE_NOT_RUNNING);

        Instance mine = provisioned(acme);
        assertCode(() -> skills.list(caller("Globex"), mine.id(), false), ErrorCode.INSTANCE_NOT_FOUND);
        assertThat(skills.list(acme, mine.id(), false)).extracting(SkillStatus::name).containsExactly("weather");
        assertThat(skills.list(acme, mine.id(), true)).isEmpty();
    }

    @Test
    void settingsGoByTheSkillsKeyAndABundledSkillCannotBeRemoved() {
        Instance instance = provisioned(acme);

        skills.update(acme, instance.id(), "weather", new SkillSettingsPatch(Optional.of(false), Optional.empty(), Map.of(), Map.of()));
        assertThat(gateway.configured).containsOnlyKeys("weather-key");
        assertCode(() -> skills.update(acme, instance.id(), "no-such-skill", SkillSettingsPatch.ofEnv(Map.of())), ErrorCode.SKILL_NOT_FOUND);
        assertCode(() -> skills.remove(acme, instance.id(), "weather"), ErrorCode.INSTANCE_STATE_CONFLICT);

        catalog.put("notes", new SkillPackage(new SkillSlug("notes"), List.of()));
        skills.install(acme, instance.id(), "notes", Map.of("NOTES_DIR", "/instance/workspace/notes"));
        skills.remove(acme, instance.id(), "notes");
        assertThat(gateway.removed).containsExactly("notes");
        assertThat(settings.listByInstance(instance.id())).containsOnlyKeys("weather-key");
        assertThat(gateway.configured).containsOnlyKeys("weather-key");
    }

    @Test
    void withTheSandboxOffNothingCanMakeASkillRunButSkillsAreStillListedTurnedOffAndRemoved() {
        Instance instance = provisioned(acme);
        catalog.put("notes", new SkillPackage(new SkillSlug("notes"), List.of()));
        skills.install(acme, instance.id(), "notes", Map.of());
        provisioner.sandbox = InstanceProvisionerPort.UNCONFINED;
        clawHub = true;

        for (Runnable refused : List.<Runnable>of(
                () -> skills.install(acme, instance.id(), "notes", Map.of()),
                () -> skills.install(acme, instance.id(), "@someone/weather-report", Map.of()),
                () -> skills.update(acme, instance.id(), "notes", SkillSettingsPatch.ofEnv(Map.of("NOTES_DIR", "/instance/workspace"))),
                () -> skills.update(acme, instance.id(), "notes", new SkillSettingsPatch(Optional.of(true), Optional.empty(), Map.of(), Map.of())),
                () -> skills.update(acme, instance.id(), "notes", new SkillSettingsPatch(Optional.of(false), Optional.of("key"), Map.of(), Map.of())))) {
            assertThatThrownBy(refused::run).isInstanceOfSatisfying(ChowderException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.INSTANCE_STATE_CONFLICT);
                assertThat(e.getMessage()).contains("CHOWDER_SANDBOX", "sandbox");
            });
        }
        assertThat(gateway.fromClawHub).isEmpty();
        assertThat(gateway.configured).isEmpty();
        assertThat(settings.isEmpty()).isTrue();
        // Another organization still learns nothing about the instance.
        assertCode(() -> skills.install(caller("Globex"), instance.id(), "notes", Map.of()), ErrorCode.INSTANCE_NOT_FOUND);

        assertThat(skills.list(acme, instance.id(), false)).extracting(SkillStatus::name).containsExactly("weather", "notes");
        assertThat(skills.get(acme, instance.id(), "notes").name()).isEqualTo("notes");
        skills.update(acme, instance.id(), "notes", new SkillSettingsPatch(Optional.of(false), Optional.empty(), Map.of(), Map.of()));
        assertThat(gateway.configured.get("notes").enabled()).isFalse();
        skills.remove(acme, instance.id(), "notes");
        assertThat(gateway.removed).containsExactly("notes");
    }

    @Test
    @org.junit.jupiter.api.Timeout(60)
    void aGatewayThatDoesNotAnswerTiesUpAFewOfItsOwnRequestsAtMostNotChowder() throws Exception {
        Instance stuck = provisioned(acme);
        Instance other = provisioned(acme);
        gateway.held = new java.util.concurrent.CountDownLatch(1);
        gateway.stuckInstance = stuck.id();
        List<Thread> waiting = new ArrayList<>();
        for (int i = 0; i < SkillService.MAX_IN_PROGRESS_PER_INSTANCE; i++) {
            waiting.add(Thread.ofVirtual().start(() -> skills.list(acme, stuck.id(), false)));
        }
        while (gateway.waiting.get() < SkillService.MAX_IN_PROGRESS_PER_INSTANCE) {
            Thread.sleep(5);
        }

        assertCode(() -> skills.list(acme, stuck.id(), false), ErrorCode.OVERLOADED);
        assertThat(skills.list(acme, other.id(), false)).isNotEmpty();

        gateway.held.countDown();
        for (Thread thread : waiting) {
            thread.join();
        }
        assertThat(skills.list(acme, stuck.id(), false)).isNotEmpty();
    }

    private Caller caller(String name) {
        return authentication.authenticate(organizations.create(name).apiKey().value());
    }

    private Instance provisioned(Caller owner) {
        Instance instance = Instance.provision(owner.organizationId(), "agent", GatewayUrl.of("http://127.0.0.1:40000"), new GatewayToken("t"),
                InstanceSettings.NONE, NOW);
        store.insertWithinLimit(instance, 10);
        return instance;
    }

    private static void assertCode(Runnable action, ErrorCode code) {
        assertThatThrownBy(action::run).isInstanceOfSatisfying(ChowderException.class, e -> assertThat(e.code()).isEqualTo(code));
    }
}
