package chowder.application.service;

import static java.util.Objects.requireNonNull;

import chowder.application.port.in.ManageSkillsUseCase;
import chowder.application.port.out.InstanceProvisionerPort;
import chowder.application.port.out.InstanceSkillsPort;
import chowder.application.port.out.LoadInstancePort;
import chowder.application.port.out.SkillCatalogPort;
import chowder.application.port.out.SkillCatalogPort.SkillPackage;
import chowder.application.port.out.SkillSettingsPort;
import chowder.domain.Caller;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.Instance;
import chowder.domain.InstanceId;
import chowder.domain.InstanceStatus;
import chowder.domain.Permission;
import chowder.domain.SkillSettings;
import chowder.domain.SkillSettingsPatch;
import chowder.domain.SkillSlug;
import chowder.domain.SkillStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Skills of provisioned instances: Chowder owns their workspace and config, so it installs skills from the operator's
 * catalog (or ClawHub, when allowed) into the workspace, keeps each skill's settings (secrets encrypted) and hands them
 * to the gateway, which applies them without a restart. What the gateway reports is the truth about each skill.
 */
public final class SkillService implements ManageSkillsUseCase {
    /** How many skill operations one instance may have under way at once; more wait for none and are refused. */
    public static final int MAX_IN_PROGRESS_PER_INSTANCE = 4;
    private static final SkillSettingsPatch TURN_OFF = new SkillSettingsPatch(Optional.of(false), Optional.empty(), Map.of(), Map.of());
    private final LoadInstancePort instances;
    private final InstanceProvisionerPort provisioner;
    private final InstanceSkillsPort skills;
    private final SkillCatalogPort catalog;
    private final SkillSettingsPort settings;
    /** Skill operations under way per instance: each waits on the tenant's gateway, which may not answer. */
    private final InProgress.Slots inProgress = new InProgress.Slots(MAX_IN_PROGRESS_PER_INSTANCE);
    /** Locks for changing an instance's settings, striped by instance (the provisioner runs its gateways on this node only). */
    private final ReentrantLock[] changes = new ReentrantLock[64];

    public SkillService(LoadInstancePort instances, InstanceProvisionerPort provisioner, InstanceSkillsPort skills, SkillCatalogPort catalog,
            SkillSettingsPort settings) {
        this.instances = requireNonNull(instances, "instances is null");
        this.provisioner = requireNonNull(provisioner, "provisioner is null");
        this.skills = requireNonNull(skills, "skills is null");
        this.catalog = requireNonNull(catalog, "catalog is null");
        this.settings = requireNonNull(settings, "settings is null");
        java.util.Arrays.setAll(changes, stripe -> new ReentrantLock());
    }

    @Override
    public void requireAccess(Caller caller, InstanceId id) {
        skillHost(caller, id);
    }

    @Override
    public List<SkillStatus> list(Caller caller, InstanceId id, boolean readyOnly) {
        Instance instance = skillHost(caller, id);
        try (InProgress slot = inProgress.enter(instance.id())) {
            return skills.status(instance).stream().filter(skill -> !readyOnly || skill.ready()).toList();
        }
    }

    @Override
    public SkillStatus get(Caller caller, InstanceId id, String name) {
        Instance instance = skillHost(caller, id);
        try (InProgress slot = inProgress.enter(instance.id())) {
            return find(skills.status(instance), name);
        }
    }

    @Override
    public SkillInstallation install(Caller caller, InstanceId id, String rawSlug, Map<String, String> env) {
        Instance instance = skillHost(caller, id);
        requireSandbox("installs no skill");
        try (InProgress slot = inProgress.enter(instance.id())) {
            SkillSlug slug = SkillSlug.of(rawSlug);
            SkillSettingsPatch patch = SkillSettingsPatch.ofEnv(env);
            Optional<SkillPackage> offered = catalog.find(slug);
            String source;
            String output;
            if (offered.isPresent()) {
                source = "catalog";
                output = skills.install(instance, offered.get());
            } else if (catalog.clawHubAllowed()) {
                source = "clawhub";
                output = skills.installFromClawHub(instance, rawSlug.strip(), slug);
            } else {
                throw new ChowderException(ErrorCode.SKILL_NOT_FOUND, "No skill '" + slug + "' in this Chowder's skill catalog, and "
                        + "installs from ClawHub are off: the operator offers skills with CHOWDER_SKILLS_CATALOG (and allows ClawHub with "
                        + "CHOWDER_SKILLS_CLAWHUB=on).");
            }
            SkillStatus installed = skills.status(instance).stream()
                    .filter(skill -> skill.installedAs().filter(slug.value()::equals).isPresent())
                    .findFirst()
                    .orElseThrow(() -> new ChowderException(ErrorCode.GATEWAY_FAILED, "The skill was written to skills/" + slug
                            + ", but the gateway does not list it: its SKILL.md may be invalid (it needs a name and a description)."));
            SkillSettings next = patch.isEmpty()
                    ? settings.listByInstance(instance.id()).getOrDefault(installed.key(), SkillSettings.NONE)
                    : change(instance, installed.key(), patch);
            List<String> applied = env.entrySet().stream().filter(value -> value.getValue() != null && !value.getValue().isEmpty())
                    .map(Map.Entry::getKey).sorted().toList();
            // What the gateway reported may predate its reading the config just written: what was set is no longer missing.
            List<String> required = installed.missingEnv().stream()
                    .filter(name -> !next.env().containsKey(name))
                    .filter(name -> next.apiKey() == null || installed.primaryEnv().filter(name::equals).isEmpty())
                    .toList();
            String message = required.isEmpty()
                    ? "Installed " + installed.name() + "; the gateway offers it from the agent's next turn, without a restart."
                    : "Installed " + installed.name() + ", but it needs " + String.join(", ", required) + " before the agent can use it: set "
                            + (required.size() == 1 ? "it" : "them") + " with PATCH /v1/instances/" + id + "/skills/" + installed.name()
                            + " {\"env\": {...}}.";
            return new SkillInstallation(installed, source, output, applied, required, message);
        }
    }

    @Override
    public void update(Caller caller, InstanceId id, String name, SkillSettingsPatch patch) {
        Instance instance = skillHost(caller, id);
        // Turning a skill off makes nothing run and hands the gateway no secret: the way out, sandbox or not.
        if (!patch.equals(TURN_OFF)) {
            requireSandbox("changes a skill's settings only to turn it off (PATCH {\"enabled\": false})");
        }
        try (InProgress slot = inProgress.enter(instance.id())) {
            change(instance, find(skills.status(instance), name).key(), patch);
        }
    }

    @Override
    public void remove(Caller caller, InstanceId id, String name) {
        Instance instance = skillHost(caller, id);
        try (InProgress slot = inProgress.enter(instance.id())) {
            SkillStatus skill = find(skills.status(instance), name);
            String directory = skill.installedAs().orElseThrow(() -> new ChowderException(ErrorCode.INSTANCE_STATE_CONFLICT,
                    "The skill " + skill.name() + " is not installed in the workspace (source " + skill.source() + ") and cannot be removed; "
                            + "turn it off with PATCH {\"enabled\": false}."));
            skills.uninstall(instance, directory);
            change(instance, skill.key(), null);
        }
    }

    /**
     * Applies {@code patch} to the stored settings of {@code key} (removes them for null), stores and hands all of the
     * instance's settings to its gateway, in one step per instance: two changes at once lose neither, and the gateway
     * never ends with the older. Returns the settings now stored for the key.
     */
    private SkillSettings change(Instance instance, String key, SkillSettingsPatch patch) {
        ReentrantLock lock = changesOf(instance.id());
        lock.lock();
        try {
            SkillSettings next = SkillSettings.NONE;
            if (patch == null) {
                settings.delete(instance.id(), key);
            } else {
                next = settings.listByInstance(instance.id()).getOrDefault(key, SkillSettings.NONE).with(patch);
                settings.save(instance.id(), key, next);
            }
            skills.configure(instance, settings.listByInstance(instance.id()));
            return next;
        } finally {
            lock.unlock();
        }
    }

    private ReentrantLock changesOf(InstanceId id) {
        return changes[Math.floorMod(id.hashCode(), changes.length)];
    }

    /** The instance, if the caller may manage its skills and it can have them: provisioned here, with a gateway up. */
    private Instance skillHost(Caller caller, InstanceId id) {
        Instance instance = VisibleInstances.find(instances, caller, id, Permission.CONFIGURE);
        if (!instance.provisioned()) {
            throw new ChowderException(ErrorCode.INSTANCE_STATE_CONFLICT, "Skills need an instance that Chowder provisions (created "
                    + "without gateway_url, CHOWDER_PROVISIONER=local): Chowder installs them into its workspace and config. This instance "
                    + "is a registered gateway, whose workspace Chowder cannot reach.");
        }
        if (!provisioner.enabled()) {
            throw new ChowderException(ErrorCode.INSTANCE_STATE_CONFLICT,
                    "This instance's gateway was provisioned by Chowder, but the local provisioner is off.");
        }
        if (instance.status() == InstanceStatus.STOPPED) {
            throw new ChowderException(ErrorCode.INSTANCE_NOT_RUNNING,
                    "Instance is stopped: start it (POST /v1/instances/" + id + "/start) to manage its skills; its gateway reports them.");
        }
        return instance;
    }

    /**
     * Refuses what could make a skill run, or hand one a secret, when gateways run unconfined: a skill is code the agent
     * runs, so it only ever runs in the instance's sandbox. Listing, showing, turning off and removing stay allowed.
     */
    private void requireSandbox(String refused) {
        if (!provisioner.confinesGateways()) {
            throw new ChowderException(ErrorCode.INSTANCE_STATE_CONFLICT, "Skills run only inside the instance's sandbox, and this "
                    + "Chowder runs its gateways unconfined (CHOWDER_SANDBOX=off), so it " + refused + ". The operator turns the sandbox "
                    + "back on by removing CHOWDER_SANDBOX=off (the default is bubblewrap).");
        }
    }

    private static SkillStatus find(List<SkillStatus> known, String name) {
        List<SkillStatus> matches = new ArrayList<>();
        for (SkillStatus skill : known) {
            if (skill.name().equals(name)) {
                return skill;
            }
            if (skill.key().equals(name)) {
                matches.add(skill);
            }
        }
        if (matches.size() == 1) {
            return matches.getFirst();
        }
        throw new ChowderException(ErrorCode.SKILL_NOT_FOUND, "No skill named '" + name + "' on this instance.");
    }
}
