package chowder.application.service;

import static java.util.Objects.requireNonNull;

import chowder.application.port.PairingRequest;
import chowder.application.port.in.ManageChannelsUseCase;
import chowder.application.port.out.ChannelSettingsPort;
import chowder.application.port.out.InstanceChannelsPort.ChannelLogin;
import chowder.application.port.out.InstanceChannelsPort.ChannelState;
import chowder.application.port.out.InstanceChannelsPort.PairingOutcome;
import chowder.application.port.out.InstanceChannelsPort;
import chowder.application.port.out.LoadInstancePort;
import chowder.domain.Caller;
import chowder.domain.Channel;
import chowder.domain.ChannelSettings;
import chowder.domain.ChowderException;
import chowder.domain.EnvironmentReferences;
import chowder.domain.ErrorCode;
import chowder.domain.Instance;
import chowder.domain.InstanceId;
import chowder.domain.InstanceStatus;
import chowder.domain.Permission;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Channels of provisioned instances: their fields are stored encrypted ({@link ChannelSettingsPort}) and written into
 * the gateway's config, which OpenClaw applies without a restart; the gateway itself says whether a channel is up and
 * who waits to be approved. A registered gateway's config is not Chowder's to write: its channels are a 409.
 */
public final class ChannelService implements ManageChannelsUseCase {
    private static final int MAX_FIELD_LENGTH = 4096;
    private static final Pattern PAIRING_CODE = Pattern.compile("[A-Z0-9]{4,16}");
    /**
     * Channels a sandboxed gateway cannot run yet, and why: connecting one would answer "connected" for a bot that never
     * hears a message. The others only connect out (long polls, WebSockets), which the egress allowlist covers.
     */
    private static final Map<Channel, String> NOT_YET = Map.of(
            Channel.GOOGLECHAT, "Google Chat delivers messages by webhook to a public URL of the gateway (and replies need a service account)"
                    + ", and Chowder does not relay inbound webhooks to sandboxed gateways",
            Channel.MSTEAMS, "Microsoft Teams delivers messages by webhook (Bot Framework) to a public URL of the gateway, and Chowder does not "
                    + "relay inbound webhooks to sandboxed gateways",
            Channel.LINE, "LINE delivers messages by webhook to a public URL of the gateway, and Chowder does not relay inbound webhooks to "
                    + "sandboxed gateways",
            Channel.SIGNAL, "OpenClaw reaches Signal through a signal-cli daemon linked to the account, which Chowder does not run");

    private final LoadInstancePort instances;
    private final ChannelSettingsPort settings;
    private final InstanceChannelsPort gateways;
    private final SecureRandom random;
    private final Map<InstanceId, ReentrantLock> writers = new ConcurrentHashMap<>();

    public ChannelService(LoadInstancePort instances, ChannelSettingsPort settings, InstanceChannelsPort gateways, SecureRandom random) {
        this.instances = requireNonNull(instances, "instances is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.gateways = requireNonNull(gateways, "gateways is null");
        this.random = requireNonNull(random, "random is null");
    }

    @Override
    public List<ChannelSummary> list(Caller caller, InstanceId id) {
        Instance instance = provisioned(caller, id);
        Map<Channel, ChannelSettings> stored = settings.listByInstance(instance.id());
        return Arrays.stream(Channel.values())
                .map(channel -> new ChannelSummary(channel, Optional.ofNullable(stored.get(channel)).map(ChannelSettings::enabled).orElse(false)))
                .toList();
    }

    @Override
    public Channel catalog(String channel) {
        return Channel.of(channel);
    }

    @Override
    public Connection connect(Caller caller, InstanceId id, String name, Map<String, Object> config) {
        Instance instance = provisioned(caller, id);
        Channel channel = Channel.of(name);
        String missing = NOT_YET.get(channel);
        if (missing != null) {
            throw new ChowderException(ErrorCode.INSTANCE_STATE_CONFLICT, channel.id() + " cannot be connected on this Chowder yet: " + missing
                    + ". The channels that connect out from the sandbox work: telegram, discord, slack, whatsapp, matrix, mattermost, nostr.");
        }
        ChannelSettings ifThePluginFails = underWriterOf(instance.id(), () -> {
            Optional<ChannelSettings> previous = Optional.ofNullable(settings.listByInstance(instance.id()).get(channel));
            Map<String, String> fields = fields(channel, config, previous);
            gateways.requireReachable(channel, fields);
            if (channel.npmPackage().isPresent()) {
                requireRunning(instance, "to install the " + channel.id() + " plugin");
            }
            ChannelSettings connected = new ChannelSettings(true, fields);
            saveAndConfigure(instance, channel, connected);
            // Not connected after all: what was there before stays (or the given fields, turned off).
            return previous.orElse(connected.disabled());
        });
        if (channel.npmPackage().isPresent()) {
            // Outside the instance's lock: an install restarts the gateway, minutes in which a disconnect must not wait.
            try {
                gateways.installPlugin(instance, channel);
            } catch (RuntimeException e) {
                underWriterOf(instance.id(), () -> saveAndConfigure(instance, channel, ifThePluginFails));
                throw e;
            }
        }
        if (channel.connectionType() == Channel.ConnectionType.INTERACTIVE) {
            requireRunning(instance, "to show the code to scan");
            ChannelLogin login = gateways.startLogin(instance, channel);
            return new Connection(channel, !login.connected(), login.qrImageBase64(), login.message());
        }
        String starts = instance.status() == InstanceStatus.RUNNING ? " is on" : " starts with the instance (it is " + instance.status().wireName() + ")";
        return new Connection(channel, false, Optional.empty(), channel.id() + starts + ": people who message the bot get a pairing code, "
                + "which POST …/channels/" + channel.id() + "/pair approves.");
    }

    @Override
    public ChannelStatus status(Caller caller, InstanceId id, String name) {
        Instance instance = provisioned(caller, id);
        Channel channel = Channel.of(name);
        boolean enabled = Optional.ofNullable(settings.listByInstance(instance.id()).get(channel)).map(ChannelSettings::enabled).orElse(false);
        if (instance.status() != InstanceStatus.RUNNING) {
            return new ChannelStatus(channel, enabled, false, Map.of("gateway", "the instance is " + instance.status().wireName()));
        }
        ChannelState state = gateways.status(instance, channel);
        Map<String, Object> details = new LinkedHashMap<>(state.details());
        details.put("configured", state.configured());
        details.put("running", state.running());
        return new ChannelStatus(channel, enabled, enabled && state.connected(), details);
    }

    @Override
    public String pair(Caller caller, InstanceId id, String name, String code) {
        Instance instance = provisioned(caller, id);
        Channel channel = Channel.of(name);
        String normalized = code == null ? "" : code.strip().toUpperCase(Locale.ROOT);
        if (!PAIRING_CODE.matcher(normalized).matches()) {
            throw ChowderException.validationFailed("code must be the pairing code the bot sent: 4 to 16 letters and digits.");
        }
        requireConnected(instance, channel);
        requireRunning(instance, "to approve a pairing");
        PairingOutcome outcome = gateways.approve(instance, channel, normalized);
        if (!outcome.approved()) {
            throw new ChowderException(ErrorCode.NOT_FOUND, "No pending " + channel.id() + " pairing request has code " + normalized
                    + " (a request lasts an hour).");
        }
        return outcome.output();
    }

    @Override
    public void disconnect(Caller caller, InstanceId id, String name) {
        Instance instance = provisioned(caller, id);
        Channel channel = Channel.of(name);
        underWriterOf(instance.id(), () -> {
            ChannelSettings current = settings.listByInstance(instance.id()).get(channel);
            if (current == null) {
                throw new ChowderException(ErrorCode.NOT_FOUND, channel.id() + " was never connected on this instance.");
            }
            return saveAndConfigure(instance, channel, current.disabled());
        });
    }

    /**
     * Saves one channel's settings and hands the gateway all of the instance's channels, read again after the save: under
     * the instance's lock, so that two writers cannot hand the gateway each other's stale copy (a disconnect undone).
     */
    private ChannelSettings saveAndConfigure(Instance instance, Channel channel, ChannelSettings changed) {
        settings.save(instance.id(), channel, changed);
        gateways.configure(instance, settings.listByInstance(instance.id()));
        return changed;
    }

    /**
     * Runs {@code work} holding the lock of the instance's channel writes on this node (not a monitor: a virtual thread
     * does I/O under it).
     */
    private <T> T underWriterOf(InstanceId id, Supplier<T> work) {
        ReentrantLock writer = writers.computeIfAbsent(id, unused -> new ReentrantLock());
        writer.lock();
        try {
            return work.get();
        } finally {
            writer.unlock();
        }
    }

    @Override
    public List<PairingRequest> pairingRequests(Caller caller, InstanceId id, String name) {
        Instance instance = provisioned(caller, id);
        Channel channel = Channel.of(name);
        requireConnected(instance, channel);
        requireRunning(instance, "to list pairing requests");
        return gateways.pairingRequests(instance, channel);
    }

    private Instance provisioned(Caller caller, InstanceId id) {
        Instance instance = VisibleInstances.find(instances, caller, id, Permission.CHANNELS);
        if (!instance.provisioned()) {
            throw new ChowderException(ErrorCode.INSTANCE_STATE_CONFLICT, "Channels need a provisioned instance: Chowder writes its gateway's "
                    + "config. A registered gateway's channels are configured on that gateway.");
        }
        return instance;
    }

    private void requireConnected(Instance instance, Channel channel) {
        boolean enabled = Optional.ofNullable(settings.listByInstance(instance.id()).get(channel)).map(ChannelSettings::enabled).orElse(false);
        if (!enabled) {
            throw new ChowderException(ErrorCode.INSTANCE_STATE_CONFLICT, channel.id() + " is not connected on this instance.");
        }
    }

    private static void requireRunning(Instance instance, String why) {
        if (instance.status() != InstanceStatus.RUNNING) {
            throw new ChowderException(ErrorCode.INSTANCE_STATE_CONFLICT, "The instance must be running " + why + "; it is "
                    + instance.status().wireName() + ".");
        }
    }

    /**
     * The connection's fields: exactly the channel's, each a non-blank string, or the stored one when not given; a field
     * Chowder makes (Nostr's key) is made once and kept. Messages name fields, never values.
     */
    private Map<String, String> fields(Channel channel, Map<String, Object> config, Optional<ChannelSettings> stored) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String given : config.keySet()) {
            if (channel.fields().stream().noneMatch(field -> field.name().equals(given) && !field.generated())) {
                throw ChowderException.validationFailed("config." + shorten(given) + " is not a field of " + channel.id() + "; its fields are "
                        + channel.requiredFields().keySet() + ".");
            }
        }
        for (Channel.Field field : channel.fields()) {
            if (field.generated()) {
                fields.put(field.name(), stored.map(kept -> kept.fields().get(field.name()))
                        .orElseGet(() -> HexFormat.of().formatHex(bytes(32))));
                continue;
            }
            Object value = config.get(field.name());
            Optional<String> kept = stored.map(previous -> previous.fields().get(field.name()));
            if (value == null && kept.isPresent()) {
                // A disconnect keeps the credentials: a reconnect may give only what changes.
                fields.put(field.name(), kept.get());
                continue;
            }
            if (value != null && !(value instanceof String)) {
                throw ChowderException.validationFailed("config." + field.name() + " must be a string: " + field.description() + ".");
            }
            if (!(value instanceof String text) || text.isBlank()) {
                throw ChowderException.validationFailed("config." + field.name() + " is required: " + field.description() + ".");
            }
            if (text.length() > MAX_FIELD_LENGTH || text.chars().anyMatch(Character::isISOControl)) {
                throw ChowderException.validationFailed("config." + field.name() + " must be at most " + MAX_FIELD_LENGTH
                        + " characters without control characters.");
            }
            EnvironmentReferences.refuseIn("config." + field.name(), text);
            fields.put(field.name(), text.strip());
        }
        return fields;
    }

    private byte[] bytes(int count) {
        byte[] bytes = new byte[count];
        random.nextBytes(bytes);
        return bytes;
    }

    private static String shorten(String text) {
        return text.length() <= 64 ? text : text.substring(0, 64) + "…";
    }
}
