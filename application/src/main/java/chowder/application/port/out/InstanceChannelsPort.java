package chowder.application.port.out;

import static java.util.Objects.requireNonNull;

import chowder.application.port.PairingRequest;
import chowder.domain.Channel;
import chowder.domain.ChannelSettings;
import chowder.domain.Instance;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The channels of a provisioned instance's gateway: their settings go into its config (OpenClaw applies a change of
 * {@code channels.*} and {@code plugins.*} without a restart), its plugins come from npm when OpenClaw does not bundle
 * them, and the running gateway reports status and pending pairings over its WebSocket.
 */
public interface InstanceChannelsPort {
    /**
     * Throws an {@code INSTANCE_STATE_CONFLICT} naming what the operator must allow ({@code CHOWDER_SANDBOX_EGRESS_ALLOW})
     * unless the instance's sandbox may reach the channel's service (and the plugin registry, for a plugin to install).
     */
    void requireReachable(Channel channel, Map<String, String> fields);

    /**
     * Makes sure the running gateway has the channel's plugin (for a channel OpenClaw does not bundle), installing it when
     * it has not (which may restart the gateway); a failure names the registry. Called once the channel's settings are
     * given to {@link #configure}.
     */
    void installPlugin(Instance instance, Channel channel);

    /** Gives the running gateway these channel settings (all of the instance's); a stopped one gets them at start. */
    void configure(Instance instance, Map<Channel, ChannelSettings> channels);

    /** What the running gateway says of the channel now. */
    ChannelState status(Instance instance, Channel channel);

    /** The requests of people who messaged the bot and wait to be approved, oldest first. */
    List<PairingRequest> pairingRequests(Instance instance, Channel channel);

    /** Approves the person who was given {@code code}: they may then talk to the agent. */
    PairingOutcome approve(Instance instance, Channel channel, String code);

    /** Starts an interactive login (WhatsApp's QR code) on the running gateway. */
    ChannelLogin startLogin(Instance instance, Channel channel);

    record ChannelState(boolean configured, boolean running, boolean connected, Map<String, Object> details) {
        public ChannelState {
            details = Map.copyOf(requireNonNull(details, "details is null"));
        }
    }



    record PairingOutcome(boolean approved, String output) {}

    /** {@code qrImageBase64}: a PNG of the code to scan, when there is one. */
    record ChannelLogin(boolean connected, Optional<String> qrImageBase64, String message) {}
}
