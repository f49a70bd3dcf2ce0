package chowder.adapter.persistence;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** SQL for the instance_channel_settings table. */
@RegisterConstructorMapper(ChannelSettingsDao.ChannelSettingsRow.class)
interface ChannelSettingsDao {
    record ChannelSettingsRow(UUID instanceId, String channel, String settingsEncrypted) {}

    @SqlQuery("SELECT instance_id, channel, settings_encrypted FROM instance_channel_settings WHERE instance_id = :instanceId")
    List<ChannelSettingsRow> listByInstance(@Bind("instanceId") UUID instanceId);

    @SqlQuery("SELECT instance_id, channel, settings_encrypted FROM instance_channel_settings")
    List<ChannelSettingsRow> listAll();

    @SqlUpdate("""
            UPDATE instance_channel_settings SET settings_encrypted = :encrypted, updated_at = :now
            WHERE instance_id = :instanceId AND channel = :channel
            """)
    int update(@Bind("instanceId") UUID instanceId, @Bind("channel") String channel, @Bind("encrypted") String encrypted,
            @Bind("now") Instant now);

    @SqlUpdate("""
            INSERT INTO instance_channel_settings (instance_id, channel, settings_encrypted, updated_at)
            VALUES (:instanceId, :channel, :encrypted, :now)
            """)
    void insert(@Bind("instanceId") UUID instanceId, @Bind("channel") String channel, @Bind("encrypted") String encrypted,
            @Bind("now") Instant now);

    @SqlUpdate("DELETE FROM instance_channel_settings WHERE instance_id = :instanceId")
    void deleteAll(@Bind("instanceId") UUID instanceId);
}
