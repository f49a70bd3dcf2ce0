package chowder.application.port.out;

import static java.util.Objects.requireNonNull;

import chowder.domain.Channel;
import chowder.domain.ChannelSettings;
import chowder.domain.GatewayToken;
import chowder.domain.GatewayUrl;
import chowder.domain.Instance;
import chowder.domain.InstanceId;
import chowder.domain.InstanceSettings;
import chowder.domain.SkillSettings;
import java.util.Map;
import java.util.Optional;

/**
 * Runs OpenClaw gateways for instances on Chowder's own host: a private directory, config and loopback
 * port per instance, and a supervised child process. Methods block only for file work and, in
 * {@link #stop} and {@link #remove}, until the process has exited.
 */
public interface InstanceProvisionerPort {
    /** Whether this Chowder provisions gateways; when false, an instance needs a {@code gateway_url}. */
    boolean enabled();

    /** The {@link #sandbox()} of gateways that run unconfined, as Chowder's own user ({@code CHOWDER_SANDBOX=off}). */
    String UNCONFINED = "off";

    /** How provisioned gateways are confined ({@code bubblewrap}, or {@link #UNCONFINED}); empty when nothing is provisioned. */
    Optional<String> sandbox();

    /** Whether provisioned gateways run in a sandbox: false when nothing is provisioned or the sandbox is off. */
    default boolean confinesGateways() {
        return sandbox().filter(name -> !name.equals(UNCONFINED)).isPresent();
    }

    /**
     * Throws a {@code PROVISIONER_UNAVAILABLE} error naming the reason when no gateway can be started now (the sandbox
     * cannot work on this host: a missing tool, namespaces refused); a gateway never starts unconfined by accident.
     */
    void ensureAvailable();

    /**
     * Throws a validation error ({@code model_provider}, {@code openclaw_config}) unless the settings name a
     * known provider and one of its models.
     */
    void check(InstanceSettings settings);

    /**
     * Checks the settings (which name the provider) and chooses a new gateway's address (a free loopback port) and fresh
     * random token.
     */
    PreparedGateway prepare(InstanceSettings settings);

    /**
     * A free loopback address for a gateway about to be started again: the port of a stopped gateway may
     * have been taken meanwhile.
     */
    GatewayUrl freeAddress();

    /**
     * Creates the instance's private state and workspace if needed, writes the gateway's config from the
     * instance's current settings, address and token, and starts the gateway in the background,
     * restarting it with backoff when it exits; returns at once. {@code settings} are its skills' and channels' settings.
     * {@code events} hears when it becomes ready and each time it fails. {@code modelCredential} is what the gateway
     * presents to Chowder's model endpoint (it never holds a provider's key). Starting a gateway that runs restarts it.
     */
    void start(Instance instance, StoredSettings settings, GatewayEvents events, String modelCredential);

    /** Stops the gateway and its supervision, keeping its state; returns once the process is gone. Idempotent. */
    void stop(InstanceId id);

    /** Stops the gateway and removes its state once the configured retention has passed. Idempotent. */
    void remove(InstanceId id);

    /** The settings of an instance's skills (by key) and channels, as stored, which its gateway's config carries. */
    record StoredSettings(Map<String, SkillSettings> skills, Map<Channel, ChannelSettings> channels) {
        public static final StoredSettings NONE = new StoredSettings(Map.of(), Map.of());

        public StoredSettings {
            skills = Map.copyOf(skills);
            channels = Map.copyOf(channels);
        }
    }

    /** Where a prepared gateway will listen, the token it will require, and the settings it will run with. */
    record PreparedGateway(GatewayUrl url, GatewayToken token, InstanceSettings settings) {
        public PreparedGateway {
            requireNonNull(url, "url is null");
            requireNonNull(token, "token is null");
            requireNonNull(settings, "settings is null");
        }
    }

    /** What a supervised gateway reports; called from supervision threads, never concurrently for one gateway. */
    interface GatewayEvents {
        /** The gateway answers {@code /readyz} with 200. */
        void ready();

        /** The gateway exited or did not become ready; {@code reason} ends with its log tail and holds no secret. */
        void failed(String reason);
    }

    /** The provisioner of a Chowder that only registers gateways run by others. */
    InstanceProvisionerPort DISABLED = new InstanceProvisionerPort() {
        @Override
        public boolean enabled() {
            return false;
        }

        @Override
        public Optional<String> sandbox() {
            return Optional.empty();
        }

        @Override
        public void ensureAvailable() {
            throw disabled();
        }

        @Override
        public void check(InstanceSettings settings) {
            throw disabled();
        }

        @Override
        public PreparedGateway prepare(InstanceSettings settings) {
            throw disabled();
        }

        @Override
        public GatewayUrl freeAddress() {
            throw disabled();
        }

        @Override
        public void start(Instance instance, StoredSettings settings, GatewayEvents events, String modelCredential) {
            throw disabled();
        }

        @Override
        public void stop(InstanceId id) {
            throw disabled();
        }

        @Override
        public void remove(InstanceId id) {
            throw disabled();
        }

        private IllegalStateException disabled() {
            return new IllegalStateException("the local provisioner is disabled");
        }
    };
}
