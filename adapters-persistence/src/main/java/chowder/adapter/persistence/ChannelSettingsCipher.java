package chowder.adapter.persistence;

import chowder.domain.Channel;
import chowder.domain.ChannelSettings;
import chowder.domain.InstanceId;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.security.SecureRandom;
import java.util.Map;

/**
 * Encrypts a channel's settings as JSON with {@link SecretCipher}, bound to their row (instance and channel), so that
 * settings copied onto another instance or channel do not decrypt. Failures name the channel, never a value.
 */
final class ChannelSettingsCipher {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SecretCipher cipher;

    /** The stored JSON, with names of its own: renaming a field of {@link ChannelSettings} must not orphan stored rows. */
    record StoredSettings(@JsonProperty("enabled") boolean enabled, @JsonProperty("fields") Map<String, String> fields) {
        @Override
        public String toString() {
            return "StoredSettings[secrets hidden]";
        }
    }

    ChannelSettingsCipher(MasterKey key, SecureRandom random) {
        this.cipher = new SecretCipher(key, random);
    }

    String encrypt(InstanceId instance, Channel channel, ChannelSettings settings) {
        try {
            return cipher.encrypt(associatedData(instance, channel), JSON.writeValueAsString(new StoredSettings(settings.enabled(), settings.fields())));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("channel settings of plain strings could not be written as JSON", e);
        }
    }

    ChannelSettings decrypt(InstanceId instance, Channel channel, String stored) {
        String secret = "the " + channel.id() + " settings of instance " + instance;
        String json = cipher.decrypt(associatedData(instance, channel), stored, secret);
        try {
            StoredSettings read = JSON.readValue(json, StoredSettings.class);
            return new ChannelSettings(read.enabled(), read.fields() == null ? Map.of() : read.fields());
        } catch (JsonProcessingException e) {
            // Without Jackson's message or cause: both may quote the decrypted text.
            throw new IllegalStateException(secret + " decrypt to something other than channel settings");
        }
    }

    // Prefixed, so that it never equals another secret's associated data.
    private static String associatedData(InstanceId instance, Channel channel) {
        return "instance_channel_settings:" + instance + ":" + channel.id();
    }
}
