package chowder.adapter.persistence;

import chowder.domain.GatewayToken;
import chowder.domain.InstanceId;
import java.security.SecureRandom;

/**
 * Encrypts gateway tokens with {@link SecretCipher}, the instance id as associated data, so a token copied onto
 * another instance's row does not decrypt.
 */
final class GatewayTokenCipher {
    private final SecretCipher cipher;

    GatewayTokenCipher(MasterKey key, SecureRandom random) {
        this.cipher = new SecretCipher(key, random);
    }

    String encrypt(InstanceId instanceId, GatewayToken token) {
        return cipher.encrypt(associatedData(instanceId), token.value());
    }

    GatewayToken decrypt(InstanceId instanceId, String stored) {
        return new GatewayToken(cipher.decrypt(associatedData(instanceId), stored, "the gateway token of instance " + instanceId));
    }

    // The bare id, as since the first version: stored tokens are bound to exactly these bytes.
    private static String associatedData(InstanceId instanceId) {
        return instanceId.toString();
    }
}
