package chowder.adapter.openclaw.provisioner;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import chowder.adapter.openclaw.provisioner.sandbox.EgressRule;
import chowder.adapter.openclaw.provisioner.sandbox.Sandbox;
import chowder.adapter.openclaw.provisioner.sandbox.SandboxCell;
import chowder.application.port.out.InstanceProvisionerPort;
import chowder.application.port.out.InstanceProvisionerPort.StoredSettings;
import chowder.domain.Channel;
import chowder.domain.ChannelSettings;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.GatewayToken;
import chowder.domain.GatewayUrl;
import chowder.domain.Instance;
import chowder.domain.InstanceId;
import chowder.domain.InstanceSettings;
import chowder.domain.SkillSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one OpenClaw gateway per provisioned instance on this host, each in its own directory under
 * {@link ProvisionerConfig#instancesDir()}, on a loopback port, with a fresh random token, supervised by
 * a {@link GatewaySupervisor}. {@link #close()} stops every gateway it started.
 */
public final class LocalGatewayProvisioner implements InstanceProvisionerPort, AutoCloseable {
    /**
     * A plugin install's own config, and no npm user settings: the home is the agent's to write, and an {@code .npmrc}
     * planted there must not choose the registry or the package. (npm's global config is the runtime's, read-only in the
     * sandbox; npm refuses one file as both, so only the user config is emptied.)
     */
    private static final Map<String, String> PLUGIN_INSTALL_ENVIRONMENT = Map.of(
            "OPENCLAW_CONFIG_PATH", "/tmp/chowder-plugin-install/openclaw.json",
            "npm_config_userconfig", "/dev/null");
    private static final Logger log = LoggerFactory.getLogger(LocalGatewayProvisioner.class);
    private static final int TOKEN_BYTES = 32;

    private final ProvisionerConfig config;
    private final OpenClawInstall install;
    private final Map<String, String> environment;
    /** The host's TLS trust settings, passed into every sandbox. */
    private final Map<String, String> hostTrust;
    private final SecureRandom random;
    private final Clock clock;
    private final Sandbox sandbox;
    private final ConfigDirectories configDirectories;
    private final Map<InstanceId, GatewaySupervisor> supervisors = new ConcurrentHashMap<>();
    private final ChannelsConfig channelsConfig;
    private final ChannelPlugins plugins;
    /** The skill and channel settings each started gateway runs with: its config is written from them at each launch and change. */
    private final Map<InstanceId, StoredSettings> settings = new ConcurrentHashMap<>();
    /** The config of each launched gateway, to write again when its skill or channel settings change. */
    private final Map<InstanceId, ConfigFile> configs = new ConcurrentHashMap<>();
    /** What each started gateway's process is given (token, model credential), for a command run beside it. */
    private final Map<InstanceId, Map<String, String>> secrets = new ConcurrentHashMap<>();
    /** Held to write a config: a launch and a skill change would otherwise race (both are rare and quick). */
    private final Object configLock = new Object();
    /** Chowder's model endpoint, known once it listens: every gateway reaches its provider there and nowhere else. */
    private volatile URI modelEndpoint;

    /** @param environment Chowder's environment, of which the sandbox reads what it needs */
    public LocalGatewayProvisioner(ProvisionerConfig config, Map<String, String> environment, SecureRandom random, Clock clock) {
        this(config, ChannelsConfig.defaults(), environment, random, clock);
    }

    /** @param channelsConfig the operator's choices for channels (Telegram's Bot API root) */
    public LocalGatewayProvisioner(ProvisionerConfig config, ChannelsConfig channelsConfig, Map<String, String> environment, SecureRandom random,
            Clock clock) {
        this.config = requireNonNull(config, "config is null");
        this.channelsConfig = requireNonNull(channelsConfig, "channelsConfig is null");
        this.plugins = new ChannelPlugins(channelsConfig);
        this.install = new OpenClawInstall(config);
        this.environment = Map.copyOf(requireNonNull(environment, "environment is null"));
        this.hostTrust = Map.copyOf(GatewayCommand.hostTrust(this.environment));
        this.random = requireNonNull(random, "random is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.sandbox = new Sandbox(config.sandbox(), config.instancesDir(), this.environment, random);
        this.configDirectories = new ConfigDirectories(config.runtimeDir());
    }

    @Override
    public boolean enabled() {
        return true;
    }

    /**
     * Where gateways reach their model provider: Chowder's model endpoint ({@code http://127.0.0.1:<port>}), set once it
     * listens and before any gateway starts. A sandbox is let through to that one loopback port.
     */
    public void useModelEndpoint(URI endpoint) {
        this.modelEndpoint = requireNonNull(endpoint, "endpoint is null");
    }

    @Override
    public Optional<String> sandbox() {
        return Optional.of(sandbox.name());
    }

    @Override
    public boolean confinesGateways() {
        return sandbox.confines();
    }

    /**
     * Says at startup how gateways will be confined, or loudly that they will not be: a warning for
     * {@code CHOWDER_SANDBOX=off}, an error naming what is missing when the sandbox cannot work here.
     */
    public void reportSandbox() {
        if (!sandbox.confines()) {
            log.warn("CHOWDER_SANDBOX=off: provisioned gateways run unconfined as Chowder's own OS user. Any tenant's agent can read "
                    + "every other tenant's files, Chowder's database and master key, and signal every process of that user. Use this only "
                    + "on a host whose only tenant is you.");
            return;
        }
        if (sandbox.problem().isPresent()) {
            return;
        }
        // A Chowder that was killed left its sandboxes' (and its trial's) network namespaces and cgroups behind.
        sandbox.sweepTrials();
        if (Files.isDirectory(config.instancesDir())) {
            try (Stream<Path> directories = Files.list(config.instancesDir())) {
                directories.filter(Files::isDirectory).forEach(directory -> sandbox.sweep(directory.getFileName().toString()));
            } catch (IOException e) {
                log.warn("Cannot list {}: {}", config.instancesDir(), e.getMessage());
            }
        }
    }

    @Override
    public void ensureAvailable() {
        sandbox.problem().ifPresent(problem -> {
            throw new ChowderException(ErrorCode.PROVISIONER_UNAVAILABLE, "Provisioned instances are unavailable on this Chowder: " + problem);
        });
    }

    @Override
    public void check(InstanceSettings settings) {
        config.modelProviders().select(settings);
    }

    @Override
    public PreparedGateway prepare(InstanceSettings settings) {
        ensureAvailable();
        ModelProviders.Selection model = config.modelProviders().select(settings);
        byte[] token = new byte[TOKEN_BYTES];
        random.nextBytes(token);
        return new PreparedGateway(freeAddress(), new GatewayToken(HexFormat.of().formatHex(token)),
                settings.withModelProvider(model.providerName()));
    }

    @Override
    public GatewayUrl freeAddress() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return GatewayUrl.of("http://127.0.0.1:" + socket.getLocalPort());
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }

    @Override
    public void start(Instance instance, StoredSettings stored, GatewayEvents events, String modelCredential) {
        URI endpoint = modelEndpoint;
        if (endpoint == null) {
            throw new IllegalStateException("the model endpoint must listen before a gateway starts");
        }
        // A change that reached configureSkills or configureChannels while this start was on its way is newer than what
        // the caller read.
        settings.putIfAbsent(instance.id(), stored);
        ModelProviders.Selection model = config.modelProviders().select(instance.settings());
        int port = instance.gatewayUrl().value().getPort();
        InstanceDirectory directory = InstanceDirectory.of(config.instancesDir(), instance.id());
        try {
            directory.create();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the gateway directory of instance " + instance.id(), e);
        }
        Map<String, String> secrets = new HashMap<>();
        secrets.put(GatewayConfigWriter.TOKEN_VARIABLE, instance.gatewayToken().value());
        secrets.put(GatewayConfigWriter.MODEL_CREDENTIAL_VARIABLE, modelCredential);
        this.secrets.put(instance.id(), Map.copyOf(secrets));
        List<String> secretValues = secrets.values().stream().filter(value -> value.length() >= 4).toList();
        // The model endpoint on loopback is the one way out for model traffic; the operator's allowlist adds the rest.
        List<EgressRule> egress = List.of(EgressRule.forUrl(endpoint.toString()));
        GatewaySupervisor.Launch launch = () -> launch(instance.id(), directory, port, model, endpoint, Map.copyOf(secrets), egress);
        GatewaySupervisor supervisor = new GatewaySupervisor(instance.id().toString(), launch, port, directory.consoleLog(), events,
                config.readyTimeout(), config.maxRestartBackoff(), text -> redact(text, redactable(instance.id(), secretValues)));
        GatewaySupervisor previous = supervisors.put(instance.id(), supervisor);
        if (previous != null) {
            previous.stop();
        }
        supervisor.start();
    }

    /** One launch: the runtime (installed on first use), the config as the gateway will see it, then the process. */
    private GatewayProcess launch(InstanceId id, InstanceDirectory directory, int port, ModelProviders.Selection model, URI endpoint,
            Map<String, String> secrets, List<EgressRule> egress) throws IOException {
        OpenClawInstall.Runtime runtime = install.locate();
        Path configDirectory = configDirectories.of(id);
        GatewayLayout layout = sandbox.confines() ? GatewayLayout.inSandbox() : GatewayLayout.onHost(runtime.home(), directory, configDirectory);
        ConfigFile configFile = new ConfigFile(configDirectory.resolve(GatewayLayout.CONFIG_FILE), port, layout, model, endpoint, channelsConfig,
                () -> plugins.available(directory));
        List<String> openclaw = List.of(layout.runtime().node().toString(), layout.runtime().openClawEntry().toString());
        if (!sandbox.confines()) {
            // OpenClaw writes the plugin's record into the config it is given: a throwaway one, not the gateway's.
            Map<String, String> installing = Map.of("OPENCLAW_CONFIG_PATH", directory.root().resolve("plugin-install.json").toString());
            plugins.installMissing(id, directory, () -> settings.getOrDefault(id, StoredSettings.NONE), installing,
                    (arguments, environment, timeout) -> GatewayCommand.runUnconfined(layout, directory.root(), concat(openclaw, arguments),
                            environment, timeout));
            writeConfig(id, configFile);
            return GatewayProcess.launch(directory, layout, port, secrets);
        }
        SandboxCell.Request request = new SandboxCell.Request(id.toString(), directory.root(), runtime.home(), configDirectory,
                directory.state(), directory.workspace(), directory.home(), port, egress, GatewayCommand.arguments(layout, port),
                GatewayCommand.sandboxEnvironment(layout, hostTrust, secrets));
        SandboxCell cell = sandbox.open(request);
        try {
            // In the launch's own sandbox, before its gateway: the install reaches the registry as the gateway may, and
            // the gateway starts with the plugin. No secret is in its environment; its config is on the sandbox's /tmp, in a
            // directory of its own (OpenClaw sets the mode of the directory it writes in, which /tmp is not its to change).
            plugins.installMissing(id, directory, () -> settings.getOrDefault(id, StoredSettings.NONE),
                    GatewayCommand.sandboxEnvironment(layout, hostTrust, PLUGIN_INSTALL_ENVIRONMENT),
                    (arguments, environment, timeout) -> redacted(id, sandbox.runFirst(cell, request, concat(openclaw, arguments), environment, timeout)));
            writeConfig(id, configFile);
            return GatewayProcess.launch(cell, directory);
        } catch (IOException | RuntimeException e) {
            cell.close();
            throw e;
        }
    }

    private void writeConfig(InstanceId id, ConfigFile configFile) throws IOException {
        synchronized (configLock) {
            configFile.write(settings.getOrDefault(id, StoredSettings.NONE));
            configs.put(id, configFile);
        }
    }

    private static List<String> concat(List<String> first, List<String> second) {
        List<String> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }

    /**
     * Makes sure the channel's plugin is installed in the instance's gateway: when it is not, the gateway is restarted and
     * its launch installs it first. Empty once installed, else why not.
     */
    Optional<String> installPlugin(InstanceId id, Channel channel) throws InterruptedException {
        GatewaySupervisor supervisor = supervisors.get(id);
        if (supervisor == null) {
            throw new IllegalStateException("the gateway of instance " + id + " was not started by this Chowder");
        }
        InstanceDirectory directory = InstanceDirectory.of(config.instancesDir(), id);
        if (plugins.installed(directory, channel)) {
            return Optional.empty();
        }
        long ready = supervisor.readyLaunches();
        Optional<String> failure = plugins.awaitInstall(id, directory, channel, supervisor::restart);
        // Answer once the gateway runs again, with the plugin: the channel's status is then the gateway's to tell.
        if (!supervisor.awaitReadyAfter(ready, config.readyTimeout())) {
            return failure.or(() -> Optional.of("the plugin is installed, but the gateway was not ready again within "
                    + config.readyTimeout().toSeconds() + " s (its status says why)"));
        }
        return failure;
    }

    /**
     * Gives a started gateway new skill settings: its config is written again, and OpenClaw applies the change of
     * {@code skills.*} without a restart. A gateway not started here gets them at its next start.
     */
    void configureSkills(InstanceId id, Map<String, SkillSettings> skills) {
        reconfigure(id, current -> new StoredSettings(skills, current.channels()));
    }

    /**
     * Gives a started gateway new channel settings: its config is written again, and OpenClaw applies a change of
     * {@code channels.*} and {@code plugins.*} without a restart. A gateway not started here gets them at its next start.
     */
    void configureChannels(InstanceId id, Map<Channel, ChannelSettings> channels) {
        reconfigure(id, current -> new StoredSettings(current.skills(), channels));
    }

    private void reconfigure(InstanceId id, java.util.function.UnaryOperator<StoredSettings> change) {
        synchronized (configLock) {
            StoredSettings next = change.apply(settings.getOrDefault(id, StoredSettings.NONE));
            settings.put(id, next);
            ConfigFile file = configs.get(id);
            if (file != null) {
                try {
                    file.write(next);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot write the gateway config of instance " + id, e);
                }
            }
        }
    }

    /**
     * Where the gateway's config goes and what, besides its skills and channels, it says. A channel whose plugin is not
     * installed stays out of it: OpenClaw would refuse a section for a channel it does not know.
     */
    private record ConfigFile(Path file, int port, GatewayLayout layout, ModelProviders.Selection model, URI modelEndpoint,
            ChannelsConfig channelsConfig, java.util.function.Supplier<Set<Channel>> available) {
        void write(StoredSettings stored) throws IOException {
            Set<Channel> runnable = available.get();
            Map<Channel, ChannelSettings> channels = new java.util.EnumMap<>(Channel.class);
            stored.channels().forEach((channel, settings) -> {
                if (runnable.contains(channel)) {
                    channels.put(channel, settings);
                }
            });
            GatewayConfigWriter.write(file, GatewayConfigWriter.config(port, layout, model, modelEndpoint, stored.skills(), channels,
                    channelsConfig));
        }
    }

    /**
     * Runs an OpenClaw command ({@code pairing approve telegram CODE}, say) on a started gateway's state and config, as
     * the gateway runs: beside it in its sandbox (its uid and binds, no network), or unconfined when the sandbox is off.
     * Its output ends with what it printed, secrets redacted.
     */
    Sandbox.Outcome runBeside(InstanceId id, List<String> arguments, java.time.Duration timeout) throws IOException, InterruptedException {
        Map<String, String> given = secrets.get(id);
        if (given == null) {
            throw new IllegalStateException("the gateway of instance " + id + " was not started by this Chowder");
        }
        OpenClawInstall.Runtime runtime = install.locate();
        InstanceDirectory directory = InstanceDirectory.of(config.instancesDir(), id);
        Path configDirectory = configDirectories.of(id);
        GatewayLayout layout = sandbox.confines() ? GatewayLayout.inSandbox() : GatewayLayout.onHost(runtime.home(), directory, configDirectory);
        List<String> command = new ArrayList<>(List.of(layout.runtime().node().toString(), layout.runtime().openClawEntry().toString()));
        command.addAll(arguments);
        Sandbox.Outcome outcome;
        if (sandbox.confines()) {
            outcome = sandbox.runBeside(new SandboxCell.Request(id.toString(), directory.root(), runtime.home(), configDirectory,
                    directory.state(), directory.workspace(), directory.home(), 0, List.of(), command,
                    GatewayCommand.sandboxEnvironment(layout, hostTrust, given)), timeout);
        } else {
            outcome = GatewayCommand.runUnconfined(layout, directory.root(), command, given, timeout);
        }
        return new Sandbox.Outcome(outcome.exitCode(), redact(outcome.output(), redactable(id, List.copyOf(given.values()))));
    }

    @Override
    public void stop(InstanceId id) {
        settings.remove(id);
        secrets.remove(id);
        configs.remove(id);
        GatewaySupervisor supervisor = supervisors.remove(id);
        if (supervisor != null) {
            supervisor.stop();
        }
        // Its skill secrets stay in memory no longer than its gateway runs; the next start writes the config again.
        synchronized (configLock) {
            try {
                configDirectories.remove(id);
            } catch (IOException e) {
                log.warn("Cannot remove the config of instance {}: {}", id, e.getMessage());
            }
        }
    }

    @Override
    public void remove(InstanceId id) {
        stop(id);
        InstanceDirectory directory = InstanceDirectory.of(config.instancesDir(), id);
        if (Files.isDirectory(directory.root())) {
            try {
                Files.writeString(directory.root().resolve(InstanceDirectory.DELETED_MARKER), clock.instant().toString(), UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot mark the directory of instance " + id + " deleted", e);
            }
        }
        purgeExpired();
    }

    /** Removes the directories of instances deleted longer than the retention ago; returns how many. */
    public int purgeExpired() {
        if (!Files.isDirectory(config.instancesDir())) {
            return 0;
        }
        Instant cutoff = clock.instant().minus(config.retention());
        List<Path> expired = new ArrayList<>();
        try (Stream<Path> directories = Files.list(config.instancesDir())) {
            directories.filter(directory -> deletedBefore(directory, cutoff)).forEach(expired::add);
        } catch (IOException e) {
            log.warn("Cannot list {}: {}", config.instancesDir(), e.getMessage());
            return 0;
        }
        for (Path directory : expired) {
            try {
                Sandbox.removeAgentTree(directory);
                log.info("Removed the state of deleted instance {}", directory.getFileName());
            } catch (IOException e) {
                log.warn("Cannot remove {}: {}", directory, e.getMessage());
            }
        }
        return expired.size();
    }

    /** Stops every gateway (in parallel: each may take a grace period) and returns once all are gone, then the egress proxy. */
    @Override
    public void close() {
        List<Thread> stopping = new ArrayList<>();
        for (InstanceId id : List.copyOf(supervisors.keySet())) {
            stopping.add(Thread.ofVirtual().start(() -> stop(id)));
        }
        for (Thread thread : stopping) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        sandbox.close();
    }

    private static boolean deletedBefore(Path directory, Instant cutoff) {
        Path marker = directory.resolve(InstanceDirectory.DELETED_MARKER);
        if (!Files.isRegularFile(marker)) {
            return false;
        }
        try {
            return !Instant.parse(Files.readString(marker, UTF_8).strip()).isAfter(cutoff);
        } catch (IOException | DateTimeParseException e) {
            return false;
        }
    }

    /** {@code text} without the instance's secrets: what its gateway reports may quote them (a Bot API URL holds the token). */
    String redacted(InstanceId id, String text) {
        return redact(text, redactable(id, List.copyOf(secrets.getOrDefault(id, Map.of()).values())));
    }

    private Sandbox.Outcome redacted(InstanceId id, Sandbox.Outcome outcome) {
        return new Sandbox.Outcome(outcome.exitCode(), redacted(id, outcome.output()));
    }

    /**
     * What a gateway's log tail must not show: its token and model credential, and its skills' secrets and channels'
     * fields as they are now.
     */
    private List<String> redactable(InstanceId id, List<String> fixed) {
        List<String> values = new ArrayList<>(fixed);
        StoredSettings stored = settings.getOrDefault(id, StoredSettings.NONE);
        for (SkillSettings skill : stored.skills().values()) {
            if (skill.apiKey() != null) {
                values.add(skill.apiKey());
            }
            values.addAll(skill.env().values());
        }
        stored.channels().values().forEach(channel -> values.addAll(channel.fields().values()));
        return values.stream().filter(value -> value.length() >= 4).toList();
    }

    private static String redact(String text, List<String> secrets) {
        String redacted = text;
        for (String secret : secrets) {
            redacted = redacted.replace(secret, "[redacted]");
        }
        return redacted;
    }
}
