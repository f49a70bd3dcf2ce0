package chowder.adapter.persistence;

import static java.util.Objects.requireNonNull;

import chowder.application.port.out.ChannelSettingsPort;
import chowder.domain.Channel;
import chowder.domain.ChannelSettings;
import chowder.domain.InstanceId;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;

/**
 * Stores each instance's channel settings encrypted, one row per channel. Not cached: they are read when a gateway
 * starts or its channels change, not per request.
 */
final class JdbiChannelSettingsStore implements ChannelSettingsPort {
    private final Jdbi jdbi;
    private final ChannelSettingsCipher cipher;

    JdbiChannelSettingsStore(Jdbi jdbi, ChannelSettingsCipher cipher) {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
        this.cipher = requireNonNull(cipher, "cipher is null");
    }

    @Override
    public Map<Channel, ChannelSettings> listByInstance(InstanceId instance) {
        Map<Channel, ChannelSettings> settings = new EnumMap<>(Channel.class);
        for (InstanceSettingsDao.SettingsRow row : InstanceSettingsTable.CHANNELS.listByInstance(jdbi, instance)) {
            Channel channel = Channel.of(row.settingKey());
            settings.put(channel, cipher.decrypt(instance, channel, row.settingsEncrypted()));
        }
        return Collections.unmodifiableMap(settings);
    }

    @Override
    public void save(InstanceId instance, Channel channel, ChannelSettings settings) {
        String encrypted = cipher.encrypt(instance, channel, settings);
        InstanceSettingsTable.CHANNELS.save(jdbi, instance, channel.id(), encrypted);
    }

    @Override
    public void deleteAll(InstanceId instance) {
        InstanceSettingsTable.CHANNELS.deleteAll(jdbi, instance);
    }
}
