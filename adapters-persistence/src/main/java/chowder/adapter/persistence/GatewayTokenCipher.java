package chowder.adapter.persistence;

import static java.util.Objects.requireNonNull;

import chowder.domain.GatewayToken;
import chowder.domain.InstanceId;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;

/**
 * Encrypts gateway tokens with AES-256-GCM: a fresh 96-bit nonce per encryption and the instance id
 * as associated data, so a ciphertext copied onto another row does not decrypt. Stored as
 * {@code v1:<base64(nonce || ciphertext || tag)>}; the version leaves room for key rotation.
 */
final class GatewayTokenCipher {
    private static final String VERSION = "v1:";
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final MasterKey key;
    private final SecureRandom random;

    GatewayTokenCipher(MasterKey key, SecureRandom random) {
        this.key = requireNonNull(key, "key is null");
        this.random = requireNonNull(random, "random is null");
    }

    String encrypt(InstanceId instanceId, GatewayToken token) {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            Cipher cipher = cipher(Cipher.ENCRYPT_MODE, nonce, instanceId);
            byte[] sealed = cipher.doFinal(token.value().getBytes(StandardCharsets.UTF_8));
            return VERSION + Base64.getEncoder().encodeToString(ByteBuffer.allocate(NONCE_BYTES + sealed.length).put(nonce).put(sealed).array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM encryption failed", e);
        }
    }

    GatewayToken decrypt(InstanceId instanceId, String stored) {
        if (!stored.startsWith(VERSION)) {
            throw new IllegalStateException("gateway token of instance " + instanceId + " has an unknown encryption format");
        }
        byte[] box = Base64.getDecoder().decode(stored.substring(VERSION.length()));
        try {
            Cipher cipher = cipher(Cipher.DECRYPT_MODE, java.util.Arrays.copyOf(box, NONCE_BYTES), instanceId);
            return new GatewayToken(new String(cipher.doFinal(box, NONCE_BYTES, box.length - NONCE_BYTES), StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot decrypt the gateway token of instance " + instanceId
                    + ": the master key differs from the one it was stored with (check CHOWDER_MASTER_KEY or the data directory's master.key)");
        }
    }

    private Cipher cipher(int mode, byte[] nonce, InstanceId instanceId) throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(mode, key.aesKey(), new GCMParameterSpec(TAG_BITS, nonce));
        cipher.updateAAD(instanceId.toString().getBytes(StandardCharsets.US_ASCII));
        return cipher;
    }
}
