package chowder.adapter.persistence;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** SQL for the instance_skill_settings table. */
@RegisterConstructorMapper(SkillSettingsDao.SkillSettingsRow.class)
interface SkillSettingsDao {
    record SkillSettingsRow(UUID instanceId, String skillKey, String settingsEncrypted) {}

    @SqlQuery("SELECT instance_id, skill_key, settings_encrypted FROM instance_skill_settings WHERE instance_id = :instanceId")
    List<SkillSettingsRow> listByInstance(@Bind("instanceId") UUID instanceId);

    @SqlQuery("SELECT instance_id, skill_key, settings_encrypted FROM instance_skill_settings")
    List<SkillSettingsRow> listAll();

    @SqlUpdate("""
            UPDATE instance_skill_settings SET settings_encrypted = :encrypted, updated_at = :now
            WHERE instance_id = :instanceId AND skill_key = :skillKey
            """)
    int update(@Bind("instanceId") UUID instanceId, @Bind("skillKey") String skillKey, @Bind("encrypted") String encrypted,
            @Bind("now") Instant now);

    @SqlUpdate("""
            INSERT INTO instance_skill_settings (instance_id, skill_key, settings_encrypted, updated_at)
            VALUES (:instanceId, :skillKey, :encrypted, :now)
            """)
    void insert(@Bind("instanceId") UUID instanceId, @Bind("skillKey") String skillKey, @Bind("encrypted") String encrypted,
            @Bind("now") Instant now);

    @SqlUpdate("DELETE FROM instance_skill_settings WHERE instance_id = :instanceId AND skill_key = :skillKey")
    void delete(@Bind("instanceId") UUID instanceId, @Bind("skillKey") String skillKey);

    @SqlUpdate("DELETE FROM instance_skill_settings WHERE instance_id = :instanceId")
    void deleteAll(@Bind("instanceId") UUID instanceId);

    /** Replaces the ciphertext only, as a master key rotation does: the settings themselves did not change. */
    @SqlUpdate("""
            UPDATE instance_skill_settings SET settings_encrypted = :encrypted
            WHERE instance_id = :instanceId AND skill_key = :skillKey
            """)
    void updateEncrypted(@Bind("instanceId") UUID instanceId, @Bind("skillKey") String skillKey, @Bind("encrypted") String encrypted);
}
