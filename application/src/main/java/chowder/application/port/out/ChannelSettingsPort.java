package chowder.application.port.out;

import chowder.domain.Channel;
import chowder.domain.ChannelSettings;
import chowder.domain.InstanceId;
import java.util.Map;

/** The channel settings of each instance, kept with their credentials encrypted; read when a gateway starts or changes. */
public interface ChannelSettingsPort {
    /** The settings of every channel of the instance that was ever connected. */
    Map<Channel, ChannelSettings> listByInstance(InstanceId instance);

    void save(InstanceId instance, Channel channel, ChannelSettings settings);

    /** Removes every channel setting of a deleted instance: its credentials do not outlive it. */
    void deleteAll(InstanceId instance);

    /** For a Chowder that provisions nothing: no channel has settings. */
    ChannelSettingsPort NONE = new ChannelSettingsPort() {
        @Override
        public Map<Channel, ChannelSettings> listByInstance(InstanceId instance) {
            return Map.of();
        }

        @Override
        public void save(InstanceId instance, Channel channel, ChannelSettings settings) {
            throw new IllegalStateException("no channel settings store");
        }

        @Override
        public void deleteAll(InstanceId instance) {
            // nothing is stored
        }
    };
}
