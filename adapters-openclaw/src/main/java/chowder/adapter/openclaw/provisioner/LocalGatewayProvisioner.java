package chowder.adapter.openclaw.provisioner;

import static java.util.Objects.requireNonNull;

import chowder.adapter.openclaw.instance.InstanceDirectory;
import chowder.adapter.openclaw.provisioner.sandbox.EgressRule;
import chowder.adapter.openclaw.provisioner.sandbox.Sandbox;
import chowder.application.port.out.InstanceProvisionerPort.StoredSettings;
import chowder.application.port.out.InstanceProvisionerPort;
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
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
    private static final Logger log = LoggerFactory.getLogger(LocalGatewayProvisioner.class);
    private static final int TOKEN_BYTES = 32;

    private final ProvisionerConfig config;
    private final SecureRandom random;
    private final Sandbox sandbox;
    private final Map<InstanceId, GatewaySupervisor> supervisors = new ConcurrentHashMap<>();
    private final ChannelPlugins plugins;
    private final GatewaySettings settings;
    private final GatewaySecrets secrets;
    private final GatewayLauncher launcher;
    private final DeletedInstances deleted;
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
        requireNonNull(channelsConfig, "channelsConfig is null");
        this.plugins = new ChannelPlugins(channelsConfig);
        Map<String, String> hostEnvironment = Map.copyOf(requireNonNull(environment, "environment is null"));
        this.random = requireNonNull(random, "random is null");
        requireNonNull(clock, "clock is null");
        this.sandbox = new Sandbox(config.sandbox(), config.instancesDir(), hostEnvironment, random);
        this.settings = new GatewaySettings(new ConfigDirectories(config.runtimeDir()));
        this.secrets = new GatewaySecrets(settings);
        this.launcher = new GatewayLauncher(new OpenClawInstall(config), sandbox, channelsConfig, plugins, GatewayCommand.hostTrust(hostEnvironment),
                settings, secrets);
        this.deleted = new DeletedInstances(config.instancesDir(), config.retention(), clock);
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
        settings.startWith(instance.id(), stored);
        ModelProviders.Selection model = config.modelProviders().select(instance.settings());
        int port = instance.gatewayUrl().value().getPort();
        InstanceDirectory directory = InstanceDirectory.of(config.instancesDir(), instance.id());
        try {
            directory.create();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the gateway directory of instance " + instance.id(), e);
        }
        Map<String, String> given = Map.of(GatewayConfigWriter.TOKEN_VARIABLE, instance.gatewayToken().value(),
                GatewayConfigWriter.MODEL_CREDENTIAL_VARIABLE, modelCredential);
        secrets.give(instance.id(), given);
        List<String> secretValues = GatewaySecrets.redactable(List.copyOf(given.values()));
        // The model endpoint on loopback is the one way out for model traffic; the operator's allowlist adds the rest.
        List<EgressRule> egress = List.of(EgressRule.forUrl(endpoint.toString()));
        GatewaySupervisor.Launch launch = () -> launcher.launch(instance.organizationId(), instance.id(), directory, port, model, endpoint, given,
                egress);
        GatewaySupervisor supervisor = new GatewaySupervisor(instance.id().toString(), launch, port, directory.consoleLog(), events,
                config.readyTimeout(), config.maxRestartBackoff(), text -> secrets.redacted(instance.id(), secretValues, text));
        GatewaySupervisor previous = supervisors.put(instance.id(), supervisor);
        if (previous != null) {
            previous.stop();
        }
        supervisor.start();
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
        settings.change(id, current -> new StoredSettings(skills, current.channels()));
    }

    /**
     * Gives a started gateway new channel settings: its config is written again, and OpenClaw applies a change of
     * {@code channels.*} and {@code plugins.*} without a restart. A gateway not started here gets them at its next start.
     */
    void configureChannels(InstanceId id, Map<Channel, ChannelSettings> channels) {
        settings.change(id, current -> new StoredSettings(current.skills(), channels));
    }

    /**
     * Runs an OpenClaw command ({@code pairing approve telegram CODE}, say) on a started gateway's state and config, as
     * the gateway runs: beside it in its sandbox (its uid and binds, no network), or unconfined when the sandbox is off.
     * Its output ends with what it printed, secrets redacted.
     */
    Sandbox.Outcome runBeside(Instance instance, List<String> arguments, Duration timeout) throws IOException, InterruptedException {
        return launcher.runBeside(instance.organizationId(), instance.id(), InstanceDirectory.of(config.instancesDir(), instance.id()),
                arguments, timeout);
    }

    @Override
    public void stop(InstanceId id) {
        settings.forget(id);
        secrets.forget(id);
        GatewaySupervisor supervisor = supervisors.remove(id);
        if (supervisor != null) {
            supervisor.stop();
        }
        // Its skill secrets stay in memory no longer than its gateway runs; the next start writes the config again.
        settings.removeConfig(id);
    }

    @Override
    public void remove(InstanceId id) {
        stop(id);
        deleted.mark(id);
        purgeExpired();
    }

    /** Removes the directories of instances deleted longer than the retention ago; returns how many. */
    public int purgeExpired() {
        return deleted.purgeExpired();
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

    /** {@code text} without the instance's secrets: what its gateway reports may quote them (a Bot API URL holds the token). */
    String redacted(InstanceId id, String text) {
        return secrets.redacted(id, text);
    }
}
