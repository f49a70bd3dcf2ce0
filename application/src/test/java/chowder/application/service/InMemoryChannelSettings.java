package chowder.application.service;

import chowder.application.port.out.ChannelSettingsPort;
import chowder.domain.Channel;
import chowder.domain.ChannelSettings;
import chowder.domain.InstanceId;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Channel settings kept in memory, per instance. */
public final class InMemoryChannelSettings implements ChannelSettingsPort {
    private final Map<InstanceId, Map<Channel, ChannelSettings>> stored = new ConcurrentHashMap<>();

    @Override
    public Map<Channel, ChannelSettings> listByInstance(InstanceId instance) {
        return Map.copyOf(stored.getOrDefault(instance, Map.of()));
    }

    @Override
    public void save(InstanceId instance, Channel channel, ChannelSettings settings) {
        stored.computeIfAbsent(instance, unused -> new ConcurrentHashMap<>()).put(channel, settings);
    }

    @Override
    public void deleteAll(InstanceId instance) {
        stored.remove(instance);
    }
}
