package chowder.adapter.persistence;

import static java.util.Objects.requireNonNull;

import chowder.application.port.out.ChannelSettingsPort;
import chowder.domain.Channel;
import chowder.domain.ChannelSettings;
import chowder.domain.ChowderException;
import chowder.domain.InstanceId;
import java.time.Instant;
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
        for (ChannelSettingsDao.ChannelSettingsRow row : jdbi.withExtension(ChannelSettingsDao.class, dao -> dao.listByInstance(instance.value()))) {
            Channel channel = Channel.of(row.channel());
            settings.put(channel, cipher.decrypt(instance, channel, row.settingsEncrypted()));
        }
        return Collections.unmodifiableMap(settings);
    }

    @Override
    public void save(InstanceId instance, Channel channel, ChannelSettings settings) {
        String encrypted = cipher.encrypt(instance, channel, settings);
        Instant now = Instant.now();
        jdbi.useTransaction(handle -> {
            ChannelSettingsDao dao = handle.attach(ChannelSettingsDao.class);
            // H2 and PostgreSQL share no upsert; the instance's row lock makes update-then-insert safe between writers.
            if (handle.attach(InstanceDao.class).lockLiveInstance(instance.value()).isEmpty()) {
                throw ChowderException.instanceNotFound();
            }
            if (dao.update(instance.value(), channel.id(), encrypted, now) == 0) {
                dao.insert(instance.value(), channel.id(), encrypted, now);
            }
        });
    }

    @Override
    public void deleteAll(InstanceId instance) {
        jdbi.useExtension(ChannelSettingsDao.class, dao -> dao.deleteAll(instance.value()));
    }
}
