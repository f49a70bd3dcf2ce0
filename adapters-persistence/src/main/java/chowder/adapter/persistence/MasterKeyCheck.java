package chowder.adapter.persistence;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;

/**
 * The check value that tells whether a master key is the one a database's tokens are encrypted with, without
 * storing the key: a fixed text sealed with AES-256-GCM under it ({@code v1:<base64(nonce || ciphertext || tag)>}).
 * Only the same key opens it; its own associated data keeps it from being taken for a token.
 */
final class MasterKeyCheck {
    private static final String VERSION = "v1:";
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final byte[] TEXT = "chowder master key check".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ASSOCIATED_DATA = "master_key_check".getBytes(StandardCharsets.US_ASCII);

    private MasterKeyCheck() {}

    static String seal(MasterKey key, SecureRandom random) {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            byte[] sealed = cipher(Cipher.ENCRYPT_MODE, key, nonce).doFinal(TEXT);
            return VERSION + Base64.getEncoder().encodeToString(ByteBuffer.allocate(NONCE_BYTES + sealed.length).put(nonce).put(sealed).array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM encryption failed", e);
        }
    }

    /** Whether {@code key} opens the stored check value. */
    static boolean opens(MasterKey key, String stored) {
        if (!stored.startsWith(VERSION)) {
            return false;
        }
        try {
            byte[] box = Base64.getDecoder().decode(stored.substring(VERSION.length()));
            byte[] opened = cipher(Cipher.DECRYPT_MODE, key, Arrays.copyOf(box, NONCE_BYTES)).doFinal(box, NONCE_BYTES, box.length - NONCE_BYTES);
            return MessageDigest.isEqual(opened, TEXT);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    private static Cipher cipher(int mode, MasterKey key, byte[] nonce) throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(mode, key.aesKey(), new GCMParameterSpec(TAG_BITS, nonce));
        cipher.updateAAD(ASSOCIATED_DATA);
        return cipher;
    }
}
