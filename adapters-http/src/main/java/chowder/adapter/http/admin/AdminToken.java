package chowder.adapter.http.admin;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The operator's token for the admin API ({@code CHOWDER_ADMIN_TOKEN}): at least {@value #MIN_LENGTH} characters, never
 * shown ({@link #toString()} hides it), compared in constant time.
 */
public record AdminToken(String value) {
    public static final int MIN_LENGTH = 32;

    public AdminToken {
        requireNonNull(value, "value is null");
        if (value.length() < MIN_LENGTH) {
            throw new IllegalArgumentException("must be at least " + MIN_LENGTH + " characters");
        }
    }

    /**
     * Whether {@code presented} is this token. Both are hashed first, so the comparison of equal-length digests takes the
     * same time whatever the presented value's length and content.
     */
    public boolean matches(String presented) {
        return presented != null && MessageDigest.isEqual(sha256(value), sha256(presented));
    }

    @Override
    public String toString() {
        return "(hidden)";
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
