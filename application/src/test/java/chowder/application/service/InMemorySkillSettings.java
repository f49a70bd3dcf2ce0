package chowder.application.service;

import chowder.application.port.out.LoadInstancePort;
import chowder.application.port.out.SkillSettingsPort;
import chowder.domain.InstanceId;
import chowder.domain.SkillSettings;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/** Skill settings kept in memory, per instance, listed by skill key as the real store lists them. */
public final class InMemorySkillSettings implements SkillSettingsPort {
    private final Map<InstanceId, Map<String, SkillSettings>> stored = new ConcurrentHashMap<>();
    private final LiveInstances live;

    /** Settings of any instance id: for tests without an instance store. */
    public InMemorySkillSettings() {
        this.live = LiveInstances.ANY;
    }

    /** Settings only of the live instances of {@code instances}, as the real store keeps them. */
    public InMemorySkillSettings(LoadInstancePort instances) {
        this.live = new LiveInstances(instances);
    }

    @Override
    public Map<String, SkillSettings> listByInstance(InstanceId instance) {
        return Collections.unmodifiableSortedMap(new TreeMap<>(stored.getOrDefault(instance, Map.of())));
    }

    @Override
    public void save(InstanceId instance, String skillKey, SkillSettings settings) {
        if (settings.isEmpty()) {
            delete(instance, skillKey);
            return;
        }
        live.require(instance);
        stored.computeIfAbsent(instance, unused -> new ConcurrentHashMap<>()).put(skillKey, settings);
    }

    @Override
    public void delete(InstanceId instance, String skillKey) {
        stored.computeIfPresent(instance, (unused, held) -> {
            held.remove(skillKey);
            return held.isEmpty() ? null : held;
        });
    }

    @Override
    public void deleteAll(InstanceId instance) {
        stored.remove(instance);
    }

    /** Whether no instance has any settings. */
    public boolean isEmpty() {
        return stored.isEmpty();
    }
}
