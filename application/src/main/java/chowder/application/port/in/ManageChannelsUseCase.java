package chowder.application.port.in;

import static java.util.Objects.requireNonNull;

import chowder.application.port.PairingRequest;
import chowder.domain.Caller;
import chowder.domain.Channel;
import chowder.domain.InstanceId;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The messaging channels of a provisioned instance (Telegram, Discord, …): connect with credentials, see whether the
 * channel is up, approve the people who message the bot, disconnect. Organization keys, or scoped keys with
 * {@code channels}; another organization's instance is not found.
 */
public interface ManageChannelsUseCase {
    /** Every channel, and whether the instance has it on. */
    List<ChannelSummary> list(Caller caller, InstanceId instance);

    /** How a channel connects and the fields it needs: the same for every instance, and for no key at all. */
    Channel catalog(String channel);

    /**
     * Stores the fields (write-only) and turns the channel on in the instance's gateway, installing its plugin first when
     * OpenClaw does not bundle it; an interactive channel answers with the QR code to scan.
     */
    Connection connect(Caller caller, InstanceId instance, String channel, Map<String, Object> config);

    ChannelStatus status(Caller caller, InstanceId instance, String channel);

    /** Approves the person who messaged the bot and got {@code code}; not found when no pending request has it. */
    String pair(Caller caller, InstanceId instance, String channel, String code);

    /** Turns the channel off; its fields are kept for a later connect. */
    void disconnect(Caller caller, InstanceId instance, String channel);

    /** The people who messaged the bot and wait to be approved (an extension of the hosted API). */
    List<PairingRequest> pairingRequests(Caller caller, InstanceId instance, String channel);

    record ChannelSummary(Channel channel, boolean enabled) {}

    /** {@code awaitingScan}: an interactive channel waits for its QR code to be scanned. */
    record Connection(Channel channel, boolean awaitingScan, Optional<String> qrImageBase64, String message) {
        public Connection {
            requireNonNull(channel, "channel is null");
            requireNonNull(qrImageBase64, "qrImageBase64 is null");
        }
    }

    record ChannelStatus(Channel channel, boolean enabled, boolean connected, Map<String, Object> details) {
        public ChannelStatus {
            details = Map.copyOf(details);
        }
    }
}
