package chowder.adapter.openclaw.provisioner;

import chowder.application.port.out.InstanceProvisionerPort.StoredSettings;
import chowder.domain.Channel;
import chowder.domain.ChannelSettings;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Where the gateway's config goes and what, besides its skills and channels, it says. A channel whose plugin is not
 * installed stays out of it: OpenClaw would refuse a section for a channel it does not know.
 */
record GatewayConfigFile(Path file, int port, GatewayLayout layout, ModelProviders.Selection model, URI modelEndpoint,
        ChannelsConfig channelsConfig, Supplier<Set<Channel>> available) {
    void write(StoredSettings stored) throws IOException {
        Set<Channel> runnable = available.get();
        Map<Channel, ChannelSettings> channels = new EnumMap<>(Channel.class);
        stored.channels().forEach((channel, settings) -> {
            if (runnable.contains(channel)) {
                channels.put(channel, settings);
            }
        });
        GatewayConfigWriter.write(file, GatewayConfigWriter.config(port, layout, model, modelEndpoint, stored.skills(), channels,
                channelsConfig));
    }
}
