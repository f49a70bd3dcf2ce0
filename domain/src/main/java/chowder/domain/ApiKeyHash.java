package chowder.domain;

import static java.util.Objects.requireNonNull;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** The SHA-256 of an API key in lower-case hex; compared in constant time. */
public record ApiKeyHash(String hex) {
    public ApiKeyHash {
        requireNonNull(hex, "hex is null");
        if (!isDigest(hex)) {
            throw new IllegalArgumentException("not a SHA-256 hex digest");
        }
    }

    // A loop, not a regular expression: a key is hashed and its hash checked on every request.
    private static boolean isDigest(String hex) {
        if (hex.length() != 64) {
            return false;
        }
        for (int i = 0; i < 64; i++) {
            char c = hex.charAt(i);
            if ((c < '0' || c > '9') && (c < 'a' || c > 'f')) {
                return false;
            }
        }
        return true;
    }

    static ApiKeyHash of(byte[] key) {
        return new ApiKeyHash(HexFormat.of().formatHex(newDigest().digest(key)));
    }

    // A copy of a prototype: MessageDigest.getInstance looks the algorithm up among the providers on every call.
    private static final MessageDigest SHA_256 = sha256();

    private static MessageDigest newDigest() {
        try {
            return (MessageDigest) SHA_256.clone();
        } catch (CloneNotSupportedException e) {
            return sha256();
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** Compares in time independent of where the two differ (both are 64 characters long). */
    public boolean matches(ApiKeyHash other) {
        int difference = 0;
        for (int i = 0; i < 64; i++) {
            difference |= hex.charAt(i) ^ other.hex.charAt(i);
        }
        return difference == 0;
    }
}
