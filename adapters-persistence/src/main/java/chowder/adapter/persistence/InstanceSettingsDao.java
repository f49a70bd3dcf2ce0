package chowder.adapter.persistence;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.Define;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/**
 * SQL for the tables that keep an instance's settings one encrypted row per key (a skill's, a channel's): each call
 * names its table and key column, as {@link InstanceSettingsTable} gives them.
 */
@RegisterConstructorMapper(InstanceSettingsDao.SettingsRow.class)
interface InstanceSettingsDao {
    /** {@code settingKey}: the skill key, or the channel's id. */
    record SettingsRow(UUID instanceId, String settingKey, String settingsEncrypted) {}

    @SqlQuery("SELECT instance_id, <keyColumn> AS setting_key, settings_encrypted FROM <table> WHERE instance_id = :instanceId")
    List<SettingsRow> listByInstance(@Define("table") String table, @Define("keyColumn") String keyColumn, @Bind("instanceId") UUID instanceId);

    @SqlQuery("SELECT instance_id, <keyColumn> AS setting_key, settings_encrypted FROM <table>")
    List<SettingsRow> listAll(@Define("table") String table, @Define("keyColumn") String keyColumn);

    @SqlUpdate("""
            UPDATE <table> SET settings_encrypted = :encrypted, updated_at = :now
            WHERE instance_id = :instanceId AND <keyColumn> = :key
            """)
    int update(@Define("table") String table, @Define("keyColumn") String keyColumn, @Bind("instanceId") UUID instanceId,
            @Bind("key") String key, @Bind("encrypted") String encrypted, @Bind("now") Instant now);

    @SqlUpdate("""
            INSERT INTO <table> (instance_id, <keyColumn>, settings_encrypted, updated_at)
            VALUES (:instanceId, :key, :encrypted, :now)
            """)
    void insert(@Define("table") String table, @Define("keyColumn") String keyColumn, @Bind("instanceId") UUID instanceId,
            @Bind("key") String key, @Bind("encrypted") String encrypted, @Bind("now") Instant now);

    @SqlUpdate("DELETE FROM <table> WHERE instance_id = :instanceId AND <keyColumn> = :key")
    void delete(@Define("table") String table, @Define("keyColumn") String keyColumn, @Bind("instanceId") UUID instanceId,
            @Bind("key") String key);

    @SqlUpdate("DELETE FROM <table> WHERE instance_id = :instanceId")
    void deleteAll(@Define("table") String table, @Define("keyColumn") String keyColumn, @Bind("instanceId") UUID instanceId);

    /** Replaces the ciphertext only, as a master key rotation does: the settings themselves did not change. */
    @SqlUpdate("UPDATE <table> SET settings_encrypted = :encrypted WHERE instance_id = :instanceId AND <keyColumn> = :key")
    void updateEncrypted(@Define("table") String table, @Define("keyColumn") String keyColumn, @Bind("instanceId") UUID instanceId,
            @Bind("key") String key, @Bind("encrypted") String encrypted);
}
