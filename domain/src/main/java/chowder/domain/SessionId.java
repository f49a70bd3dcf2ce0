package chowder.domain;

import static java.util.Objects.requireNonNull;

/**
 * A session id exactly as the client sent it (after URL decoding): 1 to 256 Unicode code points, no
 * control characters, no unpaired surrogates. Ids that differ in any code point are different
 * sessions: no case folding, trimming or Unicode normalisation.
 */
public record SessionId(String value) {
    public static final int MAX_CODE_POINTS = 256;
    public static final SessionId MAIN = new SessionId("main");

    public SessionId {
        requireNonNull(value, "value is null");
        int codePoints = 0;
        for (int i = 0; i < value.length(); ) {
            int codePoint = value.codePointAt(i);
            if (codePoint >= Character.MIN_SURROGATE && codePoint <= Character.MAX_SURROGATE) {
                throw invalid("Session id is not valid Unicode (it contains an unpaired surrogate).");
            }
            if (Character.getType(codePoint) == Character.CONTROL) {
                throw invalid("Session id must not contain control characters (U+%04X at code point %d)."
                        .formatted(codePoint, codePoints + 1));
            }
            codePoints++;
            i += Character.charCount(codePoint);
        }
        if (codePoints == 0 || codePoints > MAX_CODE_POINTS) {
            throw invalid("Session id must be 1 to " + MAX_CODE_POINTS + " Unicode code points long; it has " + codePoints + ".");
        }
    }

    public static SessionId of(String value) {
        return new SessionId(value);
    }

    private static ChowderException invalid(String message) {
        return new ChowderException(ErrorCode.INVALID_SESSION_ID, message);
    }
}
