package chowder.adapter.http.model;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.async.ByteBufferFeeder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * One JSON document of an answer (a whole JSON answer, or one stream event), read as its bytes arrive by Jackson's
 * non-blocking parser, keeping only the whole numbers of its {@code usage} object: at its top ({@code usage.…}), or in
 * the {@code response} or {@code message} it wraps ({@code response.usage.…}, Responses' events; {@code
 * message.usage.…}, Anthropic's {@code message_start}). Nothing else is kept, so an answer of any size is read with the
 * memory of its longest string (at most the factory's {@code maxStringLength}; a longer one ends the reading). A
 * document that is not JSON yields nothing.
 */
final class UsageDocument {
    /** The usage fields any of the three formats reports, as paths below {@code usage}. */
    private static final Set<String> FIELDS = Set.of("prompt_tokens", "completion_tokens", "prompt_tokens_details.cached_tokens",
            "input_tokens", "output_tokens", "input_tokens_details.cached_tokens", "cache_read_input_tokens", "cache_creation_input_tokens");
    private static final Set<String> WRAPPERS = Set.of("response", "message");
    private static final int DEEPEST = 4;

    private final JsonParser parser;
    private final Map<String, Long> usage = new HashMap<>();
    private boolean failed;

    UsageDocument(JsonFactory json) {
        try {
            this.parser = json.createNonBlockingByteBufferParser();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads these bytes (all of them, before returning: the buffer is not kept). */
    void feed(ByteBuffer bytes) {
        if (failed || !bytes.hasRemaining()) {
            return;
        }
        try {
            ((ByteBufferFeeder) parser.getNonBlockingInputFeeder()).feedInput(bytes);
        } catch (IOException e) {
            fail();
            return;
        }
        read();
    }

    /** The document ended: its usage fields by path below {@code usage} (none if it was not JSON). */
    Map<String, Long> end() {
        if (!failed) {
            parser.getNonBlockingInputFeeder().endOfInput();
            read();
        }
        close();
        return failed ? Map.of() : usage;
    }

    private void read() {
        try {
            for (JsonToken token = parser.nextToken(); token != null && token != JsonToken.NOT_AVAILABLE; token = parser.nextToken()) {
                if (token == JsonToken.VALUE_NUMBER_INT) {
                    number();
                }
            }
        } catch (IOException | RuntimeException e) {
            // Not JSON, or beyond the parser's limits: this document tells nothing.
            fail();
        }
    }

    private void number() throws IOException {
        String field = usageField(parser.getParsingContext());
        if (field != null && FIELDS.contains(field)) {
            boolean huge = parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER;
            usage.put(field, huge ? (parser.getBigIntegerValue().signum() < 0 ? -1 : Long.MAX_VALUE) : parser.getLongValue());
        }
    }

    /** The path of the current value below a {@code usage} object where usage is reported, else null. */
    private static String usageField(JsonStreamContext context) {
        String[] names = new String[DEEPEST];
        int depth = 0;
        for (JsonStreamContext level = context; !level.inRoot(); level = level.getParent()) {
            if (!level.inObject() || depth == DEEPEST) {
                return null;
            }
            names[depth++] = level.getCurrentName();
        }
        int top = depth - 1;
        if (top > 0 && WRAPPERS.contains(names[top])) {
            top--;
        }
        if (top < 1 || !"usage".equals(names[top])) {
            return null;
        }
        StringBuilder path = new StringBuilder(names[top - 1]);
        for (int i = top - 2; i >= 0; i--) {
            path.append('.').append(names[i]);
        }
        return path.toString();
    }

    private void fail() {
        failed = true;
        close();
    }

    private void close() {
        try {
            parser.close();
        } catch (IOException e) {
            // Nothing is held that closing could lose.
        }
    }
}
