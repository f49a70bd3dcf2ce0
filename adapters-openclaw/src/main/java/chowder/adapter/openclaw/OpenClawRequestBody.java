package chowder.adapter.openclaw;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What the gateway needs instead of the client's {@code model}: the body's model must be
 * {@code openclaw} (the gateway answers 400 to anything else), and a backend model is chosen with
 * the {@code x-openclaw-model: provider/model} header.
 */
final class OpenClawRequestBody {
    private static final byte[] OPENING = "{\"model\":\"openclaw\",".getBytes(StandardCharsets.US_ASCII);
    private static final int SMALL_BODY = 16 * 1024;
    private static final byte[] OPENING_ALONE = "{\"model\":\"openclaw\"".getBytes(StandardCharsets.US_ASCII);
    // provider/model as OpenClaw names them; anything else (a bare model name such as
    // claude-sonnet-4-20250514, or an agent selector) is dropped and the gateway's own model answers.
    private static final Pattern PROVIDER_MODEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}/[A-Za-z0-9][A-Za-z0-9._:@+/-]{0,191}");

    private OpenClawRequestBody() {}

    /**
     * The JSON object with {@code "model":"openclaw"} as its first field, followed by the other fields unchanged: the
     * new opening as one buffer and the client's fields (after their opening brace) as views, copied only when small.
     */
    static ByteBuffer[] withOpenClawModel(List<ByteBuffer> otherFields) {
        ByteBuffer[] body = views(otherFields);
        int length = 0;
        for (ByteBuffer part : body) {
            length += part.remaining();
        }
        if (body.length <= 2 || length > SMALL_BODY) {
            return body;
        }
        // A small body goes out as one buffer: the client writes each buffer on its own, and a copy of a few hundred bytes
        // costs less than the writes (and the gateway's reads) it saves.
        ByteBuffer joined = ByteBuffer.allocate(length);
        for (ByteBuffer part : body) {
            joined.put(part);
        }
        return new ByteBuffer[] {joined.flip()};
    }

    private static ByteBuffer[] views(List<ByteBuffer> otherFields) {
        ByteBuffer[] body = new ByteBuffer[otherFields.size() + 1];
        body[0] = ByteBuffer.wrap(isEmptyObject(otherFields) ? OPENING_ALONE : OPENING).asReadOnlyBuffer();
        for (int i = 0; i < otherFields.size(); i++) {
            body[i + 1] = otherFields.get(i);
        }
        // Past the opening brace: the opening written here replaces it.
        body[1].position(body[1].position() + 1);
        return body;
    }

    /** Whether the first byte after the opening brace that is not white space closes the object. */
    private static boolean isEmptyObject(List<ByteBuffer> otherFields) {
        boolean afterBrace = false;
        for (ByteBuffer part : otherFields) {
            for (int i = part.position(); i < part.limit(); i++) {
                byte b = part.get(i);
                if (!afterBrace) {
                    afterBrace = true;
                } else if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
                    return b == '}';
                }
            }
        }
        return false;
    }

    /** The value of {@code x-openclaw-model}, when the client named a backend model as provider/model. */
    static Optional<String> modelHeader(Optional<String> clientModel) {
        // The pattern is tried only on a name with a provider: most clients send a plain model name.
        return clientModel
                .filter(model -> model.indexOf('/') > 0 && !model.startsWith("openclaw/"))
                .filter(model -> PROVIDER_MODEL.matcher(model).matches());
    }
}
