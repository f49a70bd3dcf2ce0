package chowder.adapter.persistence;

import static java.util.Objects.requireNonNull;

import chowder.application.port.out.SkillSettingsPort;
import chowder.domain.ChowderException;
import chowder.domain.InstanceId;
import chowder.domain.SkillSettings;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.jdbi.v3.core.Jdbi;

/**
 * Stores each instance's skill settings encrypted, one row per skill. Not cached: they are read when a gateway starts
 * or its skills change, not per request.
 */
final class JdbiSkillSettingsStore implements SkillSettingsPort {
    /** As the column holds: a skill name is short in practice (OpenClaw's are tens of characters). */
    static final int MAX_KEY_LENGTH = 200;
    /** The stored form of 64 KiB of settings JSON (base64 of it with the nonce and tag): a bound the column far exceeds. */
    static final int MAX_ENCRYPTED_LENGTH = 4 * (64 * 1024 + 28) / 3 + 8;
    private final Jdbi jdbi;
    private final SkillSettingsCipher cipher;

    JdbiSkillSettingsStore(Jdbi jdbi, SkillSettingsCipher cipher) {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
        this.cipher = requireNonNull(cipher, "cipher is null");
    }

    /** Sorted by skill key in Java's order, the same on every database whatever its collation. */
    @Override
    public Map<String, SkillSettings> listByInstance(InstanceId instance) {
        SortedMap<String, SkillSettings> settings = new TreeMap<>();
        for (InstanceSettingsDao.SettingsRow row : InstanceSettingsTable.SKILLS.listByInstance(jdbi, instance)) {
            settings.put(row.settingKey(), cipher.decrypt(instance, row.settingKey(), row.settingsEncrypted()));
        }
        return Collections.unmodifiableSortedMap(settings);
    }

    @Override
    public void save(InstanceId instance, String skillKey, SkillSettings settings) {
        requireNonNull(skillKey, "skillKey is null");
        if (settings.isEmpty()) {
            delete(instance, skillKey);
            return;
        }
        if (skillKey.length() > MAX_KEY_LENGTH) {
            throw ChowderException.validationFailed("A skill's name may be at most " + MAX_KEY_LENGTH + " characters to keep its settings.");
        }
        String encrypted = cipher.encrypt(instance, skillKey, settings);
        if (encrypted.length() > MAX_ENCRYPTED_LENGTH) {
            throw ChowderException.validationFailed("The settings of skill " + skillKey + " (apiKey, env and config together) would be larger "
                    + "than 64 KiB; remove some before adding more.");
        }
        InstanceSettingsTable.SKILLS.save(jdbi, instance, skillKey, encrypted);
    }

    @Override
    public void deleteAll(InstanceId instance) {
        InstanceSettingsTable.SKILLS.deleteAll(jdbi, instance);
    }

    @Override
    public void delete(InstanceId instance, String skillKey) {
        requireNonNull(skillKey, "skillKey is null");
        InstanceSettingsTable.SKILLS.delete(jdbi, instance, skillKey);
    }
}
