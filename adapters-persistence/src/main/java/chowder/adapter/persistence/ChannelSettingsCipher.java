package chowder.adapter.persistence;

import chowder.domain.Channel;
import chowder.domain.ChannelSettings;
import chowder.domain.InstanceId;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.security.SecureRandom;
import java.util.Map;

/**
 * Encrypts a channel's settings as JSON ({@link EncryptedJson}), bound to their row (instance and channel), so that
 * settings copied onto another instance or channel do not decrypt. Failures name the channel, never a value.
 */
final class ChannelSettingsCipher {
    private final EncryptedJson cipher;

    /** The stored JSON, with names of its own: renaming a field of {@link ChannelSettings} must not orphan stored rows. */
    record StoredSettings(@JsonProperty("enabled") boolean enabled, @JsonProperty("fields") Map<String, String> fields) {
        @Override
        public String toString() {
            return "StoredSettings[secrets hidden]";
        }
    }

    ChannelSettingsCipher(MasterKey key, SecureRandom random) {
        this.cipher = new EncryptedJson(key, random);
    }

    String encrypt(InstanceId instance, Channel channel, ChannelSettings settings) {
        return cipher.encrypt(associatedData(instance, channel), new StoredSettings(settings.enabled(), settings.fields()),
                e -> new IllegalStateException("channel settings of plain strings could not be written as JSON", e));
    }

    ChannelSettings decrypt(InstanceId instance, Channel channel, String stored) {
        StoredSettings read = cipher.decrypt(associatedData(instance, channel), stored,
                "the " + channel.id() + " settings of instance " + instance, StoredSettings.class, "channel settings");
        return new ChannelSettings(read.enabled(), read.fields() == null ? Map.of() : read.fields());
    }

    // Prefixed, so that it never equals another secret's associated data.
    private static String associatedData(InstanceId instance, Channel channel) {
        return "instance_channel_settings:" + instance + ":" + channel.id();
    }
}
