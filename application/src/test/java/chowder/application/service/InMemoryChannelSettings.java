package chowder.application.service;

import chowder.application.port.out.ChannelSettingsPort;
import chowder.application.port.out.LoadInstancePort;
import chowder.domain.Channel;
import chowder.domain.ChannelSettings;
import chowder.domain.InstanceId;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Channel settings kept in memory, per instance, listed in the channels' order as the real store lists them. */
public final class InMemoryChannelSettings implements ChannelSettingsPort {
    private final Map<InstanceId, Map<Channel, ChannelSettings>> stored = new ConcurrentHashMap<>();
    private final LiveInstances live;

    /** Settings of any instance id: for tests without an instance store. */
    public InMemoryChannelSettings() {
        this.live = LiveInstances.ANY;
    }

    /** Settings only of the live instances of {@code instances}, as the real store keeps them. */
    public InMemoryChannelSettings(LoadInstancePort instances) {
        this.live = new LiveInstances(instances);
    }

    @Override
    public Map<Channel, ChannelSettings> listByInstance(InstanceId instance) {
        Map<Channel, ChannelSettings> held = stored.getOrDefault(instance, Map.of());
        return held.isEmpty() ? Map.of() : Collections.unmodifiableMap(new EnumMap<>(held));
    }

    @Override
    public void save(InstanceId instance, Channel channel, ChannelSettings settings) {
        live.require(instance);
        stored.computeIfAbsent(instance, unused -> new ConcurrentHashMap<>()).put(channel, settings);
    }

    @Override
    public void deleteAll(InstanceId instance) {
        stored.remove(instance);
    }
}
