package chowder.adapter.persistence;

import static java.util.Objects.requireNonNull;

import chowder.domain.Channel;
import chowder.domain.ChannelSettings;
import chowder.domain.GatewayToken;
import chowder.domain.InstanceId;
import chowder.domain.ModelApiKey;
import chowder.domain.ModelProviderName;
import chowder.domain.OrganizationId;
import chowder.domain.SkillSettings;
import java.security.SecureRandom;
import java.time.Instant;
import org.jdbi.v3.core.Jdbi;

/**
 * Re-encrypts every stored gateway token, every instance's skill and channel settings and every organization's model
 * keys under a new master key and replaces the
 * key's check value, in one transaction: either all of them move to the new key or none does. Run it while no Chowder
 * server uses the database (a server still running answers not ready from then on).
 */
public final class MasterKeyRotation {
    private final Jdbi jdbi;
    private final MasterKey currentKey;

    public MasterKeyRotation(Jdbi jdbi, PersistenceConfig config) {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
        this.currentKey = config.masterKey();
    }

    /** @return how many gateway tokens were re-encrypted (skill and channel settings and model keys are re-encrypted too, but not counted) */
    public int rotateTo(MasterKey newKey) {
        GatewayTokenCipher current = new GatewayTokenCipher(currentKey, new SecureRandom());
        GatewayTokenCipher next = new GatewayTokenCipher(newKey, new SecureRandom());
        SkillSettingsCipher currentSettings = new SkillSettingsCipher(currentKey, new SecureRandom());
        SkillSettingsCipher nextSettings = new SkillSettingsCipher(newKey, new SecureRandom());
        ModelKeyCipher currentModelKeys = new ModelKeyCipher(currentKey, new SecureRandom());
        ModelKeyCipher nextModelKeys = new ModelKeyCipher(newKey, new SecureRandom());
        ChannelSettingsCipher currentChannels = new ChannelSettingsCipher(currentKey, new SecureRandom());
        ChannelSettingsCipher nextChannels = new ChannelSettingsCipher(newKey, new SecureRandom());
        return jdbi.inTransaction(handle -> {
            InstanceDao dao = handle.attach(InstanceDao.class);
            int count = 0;
            for (InstanceDao.EncryptedToken stored : dao.listEncryptedTokens()) {
                InstanceId id = new InstanceId(stored.id());
                GatewayToken token = current.decrypt(id, stored.gatewayTokenEncrypted());
                dao.updateEncryptedToken(stored.id(), next.encrypt(id, token));
                count++;
            }
            for (InstanceSettingsDao.SettingsRow stored : InstanceSettingsTable.SKILLS.listAll(handle)) {
                InstanceId id = new InstanceId(stored.instanceId());
                SkillSettings settings = currentSettings.decrypt(id, stored.settingKey(), stored.settingsEncrypted());
                InstanceSettingsTable.SKILLS.replaceCiphertext(handle, stored, nextSettings.encrypt(id, stored.settingKey(), settings));
            }
            ModelKeyDao modelKeys = handle.attach(ModelKeyDao.class);
            for (ModelKeyDao.ModelKeyRow stored : modelKeys.listAll()) {
                OrganizationId organization = new OrganizationId(stored.organizationId());
                ModelProviderName provider = new ModelProviderName(stored.provider());
                ModelApiKey key = currentModelKeys.decrypt(organization, provider, stored.keyEncrypted());
                modelKeys.update(stored.organizationId(), stored.provider(), nextModelKeys.encrypt(organization, provider, key), Instant.now());
            }
            for (InstanceSettingsDao.SettingsRow stored : InstanceSettingsTable.CHANNELS.listAll(handle)) {
                InstanceId id = new InstanceId(stored.instanceId());
                Channel channel = Channel.of(stored.settingKey());
                ChannelSettings settings = currentChannels.decrypt(id, channel, stored.settingsEncrypted());
                InstanceSettingsTable.CHANNELS.update(handle, stored, nextChannels.encrypt(id, channel, settings), Instant.now());
            }
            MasterKeyCheckDao checks = handle.attach(MasterKeyCheckDao.class);
            String check = MasterKeyCheck.seal(newKey, new SecureRandom());
            if (checks.update(check, Instant.now()) == 0) {
                checks.insert(check, Instant.now());
            }
            return count;
        });
    }
}
