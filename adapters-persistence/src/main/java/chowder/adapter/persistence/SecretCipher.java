package chowder.adapter.persistence;

import static java.util.Objects.requireNonNull;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;

/**
 * Encrypts secrets at rest with AES-256-GCM under the master key: a fresh 96-bit nonce per encryption and associated
 * data naming what the secret belongs to (its row), so a ciphertext copied elsewhere does not decrypt. Stored as
 * {@code v1:<base64(nonce || ciphertext || tag)>}; the version leaves room for another scheme. Failures name the
 * secret, never its content.
 */
final class SecretCipher {
    private static final String VERSION = "v1:";
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final MasterKey key;
    private final SecureRandom random;

    SecretCipher(MasterKey key, SecureRandom random) {
        this.key = requireNonNull(key, "key is null");
        this.random = requireNonNull(random, "random is null");
    }

    String encrypt(String associatedData, String plaintext) {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            byte[] sealed = cipher(Cipher.ENCRYPT_MODE, nonce, associatedData).doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
            return VERSION + Base64.getEncoder().encodeToString(ByteBuffer.allocate(NONCE_BYTES + sealed.length).put(nonce).put(sealed).array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM encryption failed", e);
        }
    }

    /**
     * The plaintext of {@code stored}, which must have been encrypted with this key and the same associated data.
     *
     * @param secret what is decrypted, for the message of the {@link IllegalStateException} thrown when it cannot be
     *     ("the gateway token of instance …")
     */
    String decrypt(String associatedData, String stored, String secret) {
        if (!stored.startsWith(VERSION)) {
            throw new IllegalStateException(secret + " has an unknown encryption format");
        }
        byte[] box;
        try {
            box = Base64.getDecoder().decode(stored.substring(VERSION.length()));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(secret + " is damaged (not base64)");
        }
        if (box.length < NONCE_BYTES + TAG_BITS / 8) {
            throw new IllegalStateException(secret + " is damaged (too short)");
        }
        try {
            Cipher cipher = cipher(Cipher.DECRYPT_MODE, Arrays.copyOf(box, NONCE_BYTES), associatedData);
            return new String(cipher.doFinal(box, NONCE_BYTES, box.length - NONCE_BYTES), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException e) {
            // The tag check cannot tell a wrong key from a copied or altered value; a wrong key is what happens in practice.
            throw new IllegalStateException("cannot decrypt " + secret + ": the master key differs from the one it was stored with "
                    + "(check CHOWDER_MASTER_KEY or the data directory's master.key)");
        }
    }

    private Cipher cipher(int mode, byte[] nonce, String associatedData) throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(mode, key.aesKey(), new GCMParameterSpec(TAG_BITS, nonce));
        cipher.updateAAD(associatedData.getBytes(StandardCharsets.UTF_8));
        return cipher;
    }
}
