package chowder.adapter.persistence;

import java.security.SecureRandom;

/**
 * The check value that tells whether a master key is the one a database's tokens are encrypted with, without
 * storing the key: a fixed text sealed with {@link SecretCipher} under it. Only the same key opens it; its own
 * associated data keeps it from being taken for a token.
 */
final class MasterKeyCheck {
    private static final String TEXT = "chowder master key check";
    private static final String ASSOCIATED_DATA = "master_key_check";

    private MasterKeyCheck() {}

    static String seal(MasterKey key, SecureRandom random) {
        return new SecretCipher(key, random).encrypt(ASSOCIATED_DATA, TEXT);
    }

    /** Whether {@code key} opens the stored check value. */
    static boolean opens(MasterKey key, String stored) {
        try {
            return new SecretCipher(key, new SecureRandom()).decrypt(ASSOCIATED_DATA, stored, "the master key check").equals(TEXT);
        } catch (IllegalStateException e) {
            return false;
        }
    }
}
