package chowder.domain;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;

/**
 * The value of {@code x-openclaw-session-key} for a session: {@code chowder-<generation>-<escaped id>}.
 *
 * <p>The gateway lower-cases and trims keys, reads non-ASCII as Latin-1, and gives meaning to
 * {@code global}, {@code agent:…}, {@code subagent:…}, {@code cron:…} and {@code acp:…}. So the key
 * uses only {@code [a-z0-9_-]}, which it leaves alone, under a prefix no special form starts with:
 * the id's UTF-8 bytes are kept when they are {@code a-z}, {@code 0-9} or {@code -}, and every other
 * byte becomes {@code _} and two lower-case hex digits ({@code User-42} → {@code _55ser-42}). The
 * escape character is itself escaped, and the generation is a decimal number ended by the first
 * {@code -}, so distinct (id, generation) pairs give distinct keys. The longest key (256 code points
 * of 4 UTF-8 bytes each) is about 3,100 characters.
 */
public record SessionKey(String value) {
    public static final String PREFIX = "chowder-";
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    public SessionKey {
        requireNonNull(value, "value is null");
        if (!value.startsWith(PREFIX) || !allSafe(value)) {
            throw new IllegalArgumentException("not a Chowder session key");
        }
    }

    // A loop, not a stream: a key is made on every turn.
    private static boolean allSafe(String value) {
        for (int i = 0; i < value.length(); i++) {
            if (!isSafe(value.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** The key of a session id in its given generation (the count of resets, starting at 0). */
    public static SessionKey forSession(SessionId id, long generation) {
        requireNonNull(id, "id is null");
        if (generation < 0) {
            throw new IllegalArgumentException("generation is negative: " + generation);
        }
        byte[] bytes = id.value().getBytes(StandardCharsets.UTF_8);
        StringBuilder key = new StringBuilder(PREFIX.length() + 21 + bytes.length * 3)
                .append(PREFIX).append(generation).append('-');
        for (byte b : bytes) {
            int unsigned = b & 0xff;
            if (unsigned != '_' && isSafe(unsigned)) {
                key.append((char) unsigned);
            } else {
                key.append('_').append(HEX[unsigned >> 4]).append(HEX[unsigned & 0xf]);
            }
        }
        return new SessionKey(key.toString());
    }

    private static boolean isSafe(int c) {
        return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_';
    }
}
