package chowder.adapter.persistence;

import chowder.domain.Channel;
import chowder.domain.InstanceId;
import chowder.domain.OrganizationId;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;

/** What the database holds of secrets, read with plain SQL around the stores: to show it is not the plaintext. */
final class StoredSecrets {
    private StoredSecrets() {}

    /** Every value of every row of the tables of organizations, keys and instances, as text, to search for secrets. */
    static List<String> everyStoredValue(Jdbi jdbi) {
        return jdbi.withHandle(handle -> List.of("organizations", "api_keys", "api_key_instances", "instances").stream()
                .flatMap(table -> handle.createQuery("SELECT * FROM " + table).mapToMap().list().stream())
                .flatMap((Map<String, Object> row) -> row.values().stream())
                .map(String::valueOf)
                .toList());
    }

    static String skillSettings(Jdbi jdbi, InstanceId instance, String skillKey) {
        return jdbi.withHandle(handle -> handle.createQuery(
                        "SELECT settings_encrypted FROM instance_skill_settings WHERE instance_id = :instance AND skill_key = :skillKey")
                .bind("instance", instance.value())
                .bind("skillKey", skillKey)
                .mapTo(String.class)
                .one());
    }

    static String channelSettings(Jdbi jdbi, InstanceId instance, Channel channel) {
        return jdbi.withHandle(handle -> handle.createQuery(
                        "SELECT settings_encrypted FROM instance_channel_settings WHERE instance_id = :instance AND channel = :channel")
                .bind("instance", instance.value())
                .bind("channel", channel.id())
                .mapTo(String.class)
                .one());
    }

    static List<String> modelKeys(Jdbi jdbi) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT key_encrypted FROM organization_model_keys").mapTo(String.class).list());
    }

    static String modelKeyOf(Jdbi jdbi, OrganizationId organization) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT key_encrypted FROM organization_model_keys WHERE organization_id = ?")
                .bind(0, organization.value()).mapTo(String.class).first());
    }
}
