package chowder.adapter.http.sessions;

import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.SessionId;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Reads a session id from its raw (still percent-encoded) path segment. Unlike form decoding, a
 * {@code +} stays a plus, {@code %2F} becomes a slash inside the id, and malformed escapes or bytes
 * that are not UTF-8 are refused instead of silently becoming U+FFFD.
 */
public final class SessionIdSegment {
    // Index of {session_id} in every session route, "/v1/instances/{id}/session/{session_id}[/...]", split on '/'.
    private static final int INDEX_IN_SESSION_ROUTES = 5;

    private SessionIdSegment() {}

    /**
     * The session id of a request to a {@code /v1/instances/{id}/session/{session_id}…} route, read from
     * the raw path rather than from Javalin's path parameter, which form-decodes and hides bad UTF-8.
     */
    static SessionId fromRequestPath(String rawPath) {
        return decode(rawPath.split("/", -1)[INDEX_IN_SESSION_ROUTES]);
    }

    public static SessionId decode(String rawSegment) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(rawSegment.length());
        for (int i = 0; i < rawSegment.length(); i++) {
            char c = rawSegment.charAt(i);
            if (c == '%') {
                if (i + 2 >= rawSegment.length() || Character.digit(rawSegment.charAt(i + 1), 16) < 0
                        || Character.digit(rawSegment.charAt(i + 2), 16) < 0) {
                    throw invalid("Session id has a malformed percent-escape (use %XX with two hex digits).");
                }
                bytes.write(Character.digit(rawSegment.charAt(i + 1), 16) << 4 | Character.digit(rawSegment.charAt(i + 2), 16));
                i += 2;
            } else {
                int end = Character.isHighSurrogate(c) && i + 1 < rawSegment.length() ? i + 2 : i + 1;
                bytes.writeBytes(rawSegment.substring(i, end).getBytes(StandardCharsets.UTF_8));
                i = end - 1;
            }
        }
        try {
            String id = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
            return SessionId.of(id);
        } catch (CharacterCodingException e) {
            throw invalid("Session id is not valid UTF-8 once percent-decoded.");
        }
    }

    private static ChowderException invalid(String message) {
        return new ChowderException(ErrorCode.INVALID_SESSION_ID, message);
    }
}
