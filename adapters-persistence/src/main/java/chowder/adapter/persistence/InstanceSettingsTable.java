package chowder.adapter.persistence;

import chowder.adapter.persistence.InstanceSettingsDao.SettingsRow;
import chowder.domain.ChowderException;
import chowder.domain.InstanceId;
import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** A table that keeps an instance's settings one encrypted row per key, and how its rows are read and written. */
enum InstanceSettingsTable {
    SKILLS("instance_skill_settings", "skill_key"),
    CHANNELS("instance_channel_settings", "channel");

    private final String table;
    private final String keyColumn;

    InstanceSettingsTable(String table, String keyColumn) {
        this.table = table;
        this.keyColumn = keyColumn;
    }

    List<SettingsRow> listByInstance(Jdbi jdbi, InstanceId instance) {
        return jdbi.withExtension(InstanceSettingsDao.class, dao -> dao.listByInstance(table, keyColumn, instance.value()));
    }

    /** Stores one key's settings of a live instance; a deleted instance is not found, so no secret outlives it. */
    void save(Jdbi jdbi, InstanceId instance, String key, String encrypted) {
        Instant now = Instant.now();
        jdbi.useTransaction(handle -> {
            InstanceSettingsDao dao = handle.attach(InstanceSettingsDao.class);
            // H2 and PostgreSQL share no upsert; the instance's row lock makes update-then-insert safe between writers.
            if (handle.attach(InstanceDao.class).lockLiveInstance(instance.value()).isEmpty()) {
                throw ChowderException.instanceNotFound();
            }
            if (dao.update(table, keyColumn, instance.value(), key, encrypted, now) == 0) {
                dao.insert(table, keyColumn, instance.value(), key, encrypted, now);
            }
        });
    }

    void delete(Jdbi jdbi, InstanceId instance, String key) {
        jdbi.useExtension(InstanceSettingsDao.class, dao -> dao.delete(table, keyColumn, instance.value(), key));
    }

    void deleteAll(Jdbi jdbi, InstanceId instance) {
        jdbi.useExtension(InstanceSettingsDao.class, dao -> dao.deleteAll(table, keyColumn, instance.value()));
    }

    /** Every row, in {@code handle}'s transaction: for a master key rotation. */
    List<SettingsRow> listAll(Handle handle) {
        return handle.attach(InstanceSettingsDao.class).listAll(table, keyColumn);
    }

    /** Replaces a row's ciphertext only: the settings did not change. */
    void replaceCiphertext(Handle handle, SettingsRow row, String encrypted) {
        handle.attach(InstanceSettingsDao.class).updateEncrypted(table, keyColumn, row.instanceId(), row.settingKey(), encrypted);
    }

    /** Replaces a row's ciphertext and its time of change. */
    void update(Handle handle, SettingsRow row, String encrypted, Instant now) {
        handle.attach(InstanceSettingsDao.class).update(table, keyColumn, row.instanceId(), row.settingKey(), encrypted, now);
    }
}
