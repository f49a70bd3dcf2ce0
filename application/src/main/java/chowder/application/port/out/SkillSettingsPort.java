package chowder.application.port.out;

import chowder.domain.InstanceId;
import chowder.domain.SkillSettings;
import java.util.Map;

/** The skill settings of each instance, kept with their secrets encrypted; read when a gateway starts or changes. */
public interface SkillSettingsPort {
    /** The settings of every skill of the instance that has any, by skill key. */
    Map<String, SkillSettings> listByInstance(InstanceId instance);

    /** Stores a skill's settings; empty settings remove the skill's entry. */
    void save(InstanceId instance, String skillKey, SkillSettings settings);

    void delete(InstanceId instance, String skillKey);

    /** Removes every skill setting of a deleted instance: its secrets do not outlive it. */
    void deleteAll(InstanceId instance);

    /** For a Chowder that provisions nothing: no skill has settings. */
    SkillSettingsPort NONE = new SkillSettingsPort() {
        @Override
        public Map<String, SkillSettings> listByInstance(InstanceId instance) {
            return Map.of();
        }

        @Override
        public void save(InstanceId instance, String skillKey, SkillSettings settings) {
            throw new IllegalStateException("no skill settings store");
        }

        @Override
        public void delete(InstanceId instance, String skillKey) {
            throw new IllegalStateException("no skill settings store");
        }

        @Override
        public void deleteAll(InstanceId instance) {
            // nothing is stored
        }
    };
}
