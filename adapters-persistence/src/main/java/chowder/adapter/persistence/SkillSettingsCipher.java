package chowder.adapter.persistence;

import chowder.domain.InstanceId;
import chowder.domain.SkillSettings;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.security.SecureRandom;
import java.util.Map;

/**
 * Encrypts a skill's whole settings as JSON ({@link EncryptedJson}), bound to their row (instance id and skill key),
 * so settings copied onto another skill or instance do not decrypt. Failures name the skill, never a value.
 */
final class SkillSettingsCipher {
    private final EncryptedJson cipher;

    /** The stored JSON, with names of its own: renaming a field of {@link SkillSettings} must not orphan stored rows. */
    record StoredSettings(
            @JsonProperty("enabled") Boolean enabled,
            @JsonProperty("api_key") String apiKey,
            @JsonProperty("env") Map<String, String> env,
            @JsonProperty("config") Map<String, Object> config) {
        @Override
        public String toString() {
            return "StoredSettings[secrets hidden]";
        }
    }

    SkillSettingsCipher(MasterKey key, SecureRandom random) {
        this.cipher = new EncryptedJson(key, random);
    }

    String encrypt(InstanceId instance, String skillKey, SkillSettings settings) {
        return cipher.encrypt(associatedData(instance, skillKey),
                new StoredSettings(settings.enabled(), settings.apiKey(), settings.env(), settings.config()),
                // Jackson's own message names the type it cannot write, not a value.
                e -> new IllegalArgumentException("the config of skill " + skillKey + " holds a value that is not plain JSON: "
                        + e.getOriginalMessage()));
    }

    SkillSettings decrypt(InstanceId instance, String skillKey, String stored) {
        StoredSettings read = cipher.decrypt(associatedData(instance, skillKey), stored,
                "the settings of skill " + skillKey + " of instance " + instance, StoredSettings.class, "skill settings");
        return new SkillSettings(read.enabled(), read.apiKey(), read.env() == null ? Map.of() : read.env(),
                read.config() == null ? Map.of() : read.config());
    }

    // Prefixed, so that it never equals a gateway token's (a bare instance id); an id never contains ':'.
    private static String associatedData(InstanceId instance, String skillKey) {
        return "instance_skill_settings:" + instance + ":" + skillKey;
    }
}
