package chowder.domain;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** The SHA-256 of an API key in lower-case hex; compared in constant time. */
public record ApiKeyHash(String hex) {
    public ApiKeyHash {
        requireNonNull(hex, "hex is null");
        if (!hex.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("not a SHA-256 hex digest");
        }
    }

    static ApiKeyHash of(byte[] key) {
        try {
            return new ApiKeyHash(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    public boolean matches(ApiKeyHash other) {
        return MessageDigest.isEqual(
                hex.getBytes(StandardCharsets.US_ASCII), other.hex.getBytes(StandardCharsets.US_ASCII));
    }
}
