package chowder.adapter.persistence;

import static java.util.Objects.requireNonNull;

import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/** The 256-bit AES key that encrypts gateway tokens at rest; written as base64, never printed. */
public record MasterKey(byte[] bytes) {
    public static final int LENGTH_BYTES = 32;

    public MasterKey {
        requireNonNull(bytes, "bytes is null");
        if (bytes.length != LENGTH_BYTES) {
            throw new IllegalArgumentException("a master key is " + LENGTH_BYTES + " bytes (base64 of 32 random bytes)");
        }
        bytes = bytes.clone();
    }

    public static MasterKey generate(SecureRandom random) {
        byte[] bytes = new byte[LENGTH_BYTES];
        random.nextBytes(bytes);
        return new MasterKey(bytes);
    }

    /** Reads a key written by {@link #toBase64()}; the message never quotes the input. */
    public static MasterKey fromBase64(String encoded) {
        try {
            return new MasterKey(Base64.getDecoder().decode(encoded.strip()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("a master key must be the base64 of 32 random bytes (e.g. `openssl rand -base64 32`)");
        }
    }

    public String toBase64() {
        return Base64.getEncoder().encodeToString(bytes);
    }

    SecretKey aesKey() {
        return new SecretKeySpec(bytes, "AES");
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    @Override
    public String toString() {
        return "MasterKey[redacted]";
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof MasterKey key && java.security.MessageDigest.isEqual(bytes, key.bytes);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(bytes);
    }
}
