package chowder.application.service;

import chowder.application.port.PairingRequest;
import chowder.application.port.out.InstanceChannelsPort;
import chowder.domain.Channel;
import chowder.domain.ChannelSettings;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.Instance;
import chowder.domain.InstanceId;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A stand-in for provisioned gateways' channels (the real ones are proven end to end against OpenClaw): it remembers
 * the settings each gateway was given and the plugins installed, says a channel is connected when its settings have it
 * on, and approves exactly the codes a test hands out.
 */
public final class StandInChannels implements InstanceChannelsPort {
    public final Map<InstanceId, Map<Channel, ChannelSettings>> configured = new ConcurrentHashMap<>();
    public final List<String> installedPlugins = new CopyOnWriteArrayList<>();
    /** Channels whose plugin the registry does not deliver. */
    public final Set<Channel> unavailablePlugins = ConcurrentHashMap.newKeySet();
    /** Destinations the operator's egress allowlist lacks: a connect needing one is refused. */
    public final Set<Channel> unreachable = ConcurrentHashMap.newKeySet();
    /** Codes a person got from the bot, with who they are. */
    public final Map<String, String> pendingCodes = new ConcurrentHashMap<>();

    @Override
    public void requireReachable(Channel channel, Map<String, String> fields) {
        if (unreachable.contains(channel)) {
            throw new ChowderException(ErrorCode.INSTANCE_STATE_CONFLICT, channel.id() + " needs its service in CHOWDER_SANDBOX_EGRESS_ALLOW.");
        }
    }

    @Override
    public void installPlugin(Instance instance, Channel channel) {
        if (unavailablePlugins.contains(channel)) {
            throw new ChowderException(ErrorCode.PLUGIN_REGISTRY_FAILED, "Installing the " + channel.id() + " plugin failed: registry unreachable.");
        }
        installedPlugins.add(channel.npmPackage().orElseThrow());
    }

    @Override
    public void configure(Instance instance, Map<Channel, ChannelSettings> channels) {
        configured.put(instance.id(), Map.copyOf(channels));
    }

    @Override
    public ChannelState status(Instance instance, Channel channel) {
        boolean on = settingsOf(instance, channel).map(ChannelSettings::enabled).orElse(false);
        return new ChannelState(on, on, on, Map.of("lastError", "none"));
    }

    @Override
    public List<PairingRequest> pairingRequests(Instance instance, Channel channel) {
        return pendingCodes.values().stream()
                .map(sender -> new PairingRequest(sender, "Person " + sender, Instant.parse("2026-12-05T10:00:00Z"), Instant.parse("2026-12-05T11:00:00Z")))
                .toList();
    }

    @Override
    public PairingOutcome approve(Instance instance, Channel channel, String code) {
        String sender = pendingCodes.remove(code);
        return sender == null ? new PairingOutcome(false, "No pending pairing request found for code: " + code)
                : new PairingOutcome(true, "Approved " + channel.id() + " sender " + sender + ".");
    }

    @Override
    public ChannelLogin startLogin(Instance instance, Channel channel) {
        return new ChannelLogin(false, Optional.of("iVBORw0KGgo="), "Scan the code with WhatsApp on the phone.");
    }

    /** The settings the instance's gateway was last given for a channel. */
    public Optional<ChannelSettings> settingsOf(Instance instance, Channel channel) {
        return Optional.ofNullable(configured.getOrDefault(instance.id(), Map.of()).get(channel));
    }
}
