package chowder.domain;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.zip.CRC32;

/**
 * A raw API key as the consumer holds it: {@code chd_org_} or {@code chd_sk_}, 30 random base62
 * characters (178 bits) and a 6-character base62 CRC32 checksum of everything before it, the scheme
 * GitHub's tokens use, so that a mistyped key is refused without a database lookup. It is never
 * stored; {@link #toString()} redacts it.
 */
public record ApiKeySecret(String value) {
    static final int RANDOM_LENGTH = 30;
    static final int CHECKSUM_LENGTH = 6;
    private static final int DISPLAY_RANDOM_CHARACTERS = 6;
    private static final String BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static final ApiKeyKind[] KINDS = ApiKeyKind.values();

    public ApiKeySecret {
        requireNonNull(value, "value is null");
        if (kindOf(value) == null) {
            throw new ChowderException(ErrorCode.INVALID_API_KEY, "Invalid API key.");
        }
    }

    /** Makes a new key of the given kind. */
    public static ApiKeySecret generate(ApiKeyKind kind, SecureRandom random) {
        StringBuilder key = new StringBuilder(kind.prefix());
        for (int i = 0; i < RANDOM_LENGTH; i++) {
            key.append(BASE62.charAt(random.nextInt(BASE62.length())));
        }
        key.append(checksum(key));
        return new ApiKeySecret(key.toString());
    }

    /** Reads a key presented by a client; a malformed key or a wrong checksum is an invalid key. */
    public static ApiKeySecret parse(String raw) {
        return new ApiKeySecret(raw);
    }

    public ApiKeyKind kind() {
        return kindOf(value);
    }

    /** The SHA-256 of the key, the only form in which it is stored. */
    public ApiKeyHash hash() {
        return ApiKeyHash.of(value.getBytes(StandardCharsets.US_ASCII));
    }

    /** The part of the key that may be shown again later to recognise it (prefix and 6 characters). */
    public String displayPrefix() {
        return value.substring(0, kind().prefix().length() + DISPLAY_RANDOM_CHARACTERS);
    }

    @Override
    public String toString() {
        return "ApiKeySecret[redacted]";
    }

    // Checked on every request: no copies of the key, of its kinds or of its checksum are made to check it.
    private static ApiKeyKind kindOf(String value) {
        for (ApiKeyKind kind : KINDS) {
            if (value.startsWith(kind.prefix())
                    && value.length() == kind.prefix().length() + RANDOM_LENGTH + CHECKSUM_LENGTH
                    && isBase62(value, kind.prefix().length())
                    && endsWithItsChecksum(value)) {
                return kind;
            }
        }
        return null;
    }

    private static boolean endsWithItsChecksum(String value) {
        int body = value.length() - CHECKSUM_LENGTH;
        long remaining = crc32(value, body);
        for (int i = value.length() - 1; i >= body; i--) {
            if (value.charAt(i) != BASE62.charAt((int) (remaining % BASE62.length()))) {
                return false;
            }
            remaining /= BASE62.length();
        }
        return true;
    }

    private static boolean isBase62(String value, int from) {
        for (int i = from; i < value.length(); i++) {
            if (BASE62.indexOf(value.charAt(i)) < 0) {
                return false;
            }
        }
        return true;
    }

    private static String checksum(CharSequence body) {
        long remaining = crc32(body, body.length());
        char[] digits = new char[CHECKSUM_LENGTH];
        for (int i = CHECKSUM_LENGTH - 1; i >= 0; i--) {
            digits[i] = BASE62.charAt((int) (remaining % BASE62.length()));
            remaining /= BASE62.length();
        }
        return new String(digits);
    }

    /** The CRC32 of the first {@code length} characters, all ASCII here (a prefix, then base62: checked before). */
    private static long crc32(CharSequence text, int length) {
        CRC32 crc = new CRC32();
        for (int i = 0; i < length; i++) {
            crc.update(text.charAt(i));
        }
        return crc.getValue();
    }
}
