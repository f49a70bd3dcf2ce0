package chowder.adapter.openclaw.provisioner;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import chowder.adapter.openclaw.provisioner.sandbox.EgressRule;
import chowder.adapter.openclaw.provisioner.sandbox.Sandbox;
import chowder.adapter.openclaw.provisioner.sandbox.SandboxCell;
import chowder.application.port.out.InstanceProvisionerPort;
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
    private final OpenClawInstall install;
    private final Map<String, String> environment;
    private final SecureRandom random;
    private final Clock clock;
    private final Sandbox sandbox;
    private final ConfigDirectories configDirectories;
    private final Map<InstanceId, GatewaySupervisor> supervisors = new ConcurrentHashMap<>();
    /** The skill settings each started gateway runs with: its config is written from them at each launch and change. */
    private final Map<InstanceId, Map<String, SkillSettings>> skills = new ConcurrentHashMap<>();
    /** The config of each launched gateway, to write again when its skill settings change. */
    private final Map<InstanceId, ConfigFile> configs = new ConcurrentHashMap<>();
    /** Held to write a config: a launch and a skill change would otherwise race (both are rare and quick). */
    private final Object configLock = new Object();
    /** Chowder's model endpoint, known once it listens: every gateway reaches its provider there and nowhere else. */
    private volatile URI modelEndpoint;

    /** @param environment Chowder's environment, of which the sandbox reads what it needs */
    public LocalGatewayProvisioner(ProvisionerConfig config, Map<String, String> environment, SecureRandom random, Clock clock) {
        this.config = requireNonNull(config, "config is null");
        this.install = new OpenClawInstall(config);
        this.environment = Map.copyOf(requireNonNull(environment, "environment is null"));
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
    public void start(Instance instance, Map<String, SkillSettings> skillSettings, GatewayEvents events, String modelCredential) {
        URI endpoint = modelEndpoint;
        if (endpoint == null) {
            throw new IllegalStateException("the model endpoint must listen before a gateway starts");
        }
        // A change that reached configureSkills while this start was on its way is newer than what the caller read.
        skills.putIfAbsent(instance.id(), Map.copyOf(skillSettings));
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
        ConfigFile configFile = new ConfigFile(configDirectory.resolve(GatewayLayout.CONFIG_FILE), port, layout, model, endpoint);
        synchronized (configLock) {
            configFile.write(skills.getOrDefault(id, Map.of()));
            configs.put(id, configFile);
        }
        if (!sandbox.confines()) {
            return GatewayProcess.launch(directory, layout, port, secrets);
        }
        SandboxCell cell = sandbox.open(new SandboxCell.Request(id.toString(), directory.root(), runtime.home(), configDirectory,
                directory.state(), directory.workspace(), directory.home(), port, egress, GatewayCommand.arguments(layout, port),
                GatewayCommand.sandboxEnvironment(layout, secrets)));
        return GatewayProcess.launch(cell, directory);
    }

    /**
     * Gives a started gateway new skill settings: its config is written again, and OpenClaw applies the change of
     * {@code skills.*} without a restart. A gateway not started here gets them at its next start.
     */
    void configureSkills(InstanceId id, Map<String, SkillSettings> settings) {
        Map<String, SkillSettings> current = Map.copyOf(settings);
        skills.put(id, current);
        synchronized (configLock) {
            ConfigFile file = configs.get(id);
            if (file != null) {
                try {
                    file.write(current);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot write the gateway config of instance " + id, e);
                }
            }
        }
    }

    /** Where the gateway's config goes and what, besides the skills, it says. */
    private record ConfigFile(Path file, int port, GatewayLayout layout, ModelProviders.Selection model, URI modelEndpoint) {
        void write(Map<String, SkillSettings> skills) throws IOException {
            GatewayConfigWriter.write(file, GatewayConfigWriter.config(port, layout, model, modelEndpoint, skills));
        }
    }

    @Override
    public void stop(InstanceId id) {
        skills.remove(id);
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

    /** What a gateway's log tail must not show: its token and model credential, and its skills' secrets as they are now. */
    private List<String> redactable(InstanceId id, List<String> fixed) {
        List<String> values = new ArrayList<>(fixed);
        for (SkillSettings settings : skills.getOrDefault(id, Map.of()).values()) {
            if (settings.apiKey() != null) {
                values.add(settings.apiKey());
            }
            values.addAll(settings.env().values());
        }
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
