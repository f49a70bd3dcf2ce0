package chowder.adapter.persistence;

import static java.util.Objects.requireNonNull;

import chowder.domain.GatewayToken;
import chowder.domain.InstanceId;
import java.security.SecureRandom;
import java.time.Instant;
import org.jdbi.v3.core.Jdbi;

/**
 * Re-encrypts every stored gateway token under a new master key and replaces the key's check value, in one
 * transaction: either all tokens move to the new key or none does. Run it while no Chowder server uses the
 * database (a server still running answers not ready from then on).
 */
public final class MasterKeyRotation {
    private final Jdbi jdbi;
    private final MasterKey currentKey;

    public MasterKeyRotation(Jdbi jdbi, PersistenceConfig config) {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
        this.currentKey = config.masterKey();
    }

    /** @return how many tokens were re-encrypted */
    public int rotateTo(MasterKey newKey) {
        GatewayTokenCipher current = new GatewayTokenCipher(currentKey, new SecureRandom());
        GatewayTokenCipher next = new GatewayTokenCipher(newKey, new SecureRandom());
        return jdbi.inTransaction(handle -> {
            InstanceDao dao = handle.attach(InstanceDao.class);
            int count = 0;
            for (InstanceDao.EncryptedToken stored : dao.listEncryptedTokens()) {
                InstanceId id = new InstanceId(stored.id());
                GatewayToken token = current.decrypt(id, stored.gatewayTokenEncrypted());
                dao.updateEncryptedToken(stored.id(), next.encrypt(id, token));
                count++;
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
