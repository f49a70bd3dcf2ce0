package chowder.adapter.openclaw;

import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.TokenUsage;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.eclipse.jetty.io.ByteBufferInputStream;

/**
 * The token usage a gateway reports: {@code usage} of a JSON answer, or of the {@code response} in the
 * final {@code response.completed} event of a stream. Reading it is also how a JSON answer is checked
 * to be one complete JSON value, in a single pass that builds no tree; both are read by the same code.
 */
final class ReportedUsage {
    // Read once per answer, on whichever thread relays it: share parser buffers rather than allocate them (no thread-local reuse).
    private static final JsonFactory JSON = JsonFactory.builder().recyclerPool(JsonRecyclerPools.sharedConcurrentDequePool()).build();
    private static final byte[] COMPLETED = "event: response.completed".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DATA_LINE = "\ndata: ".getBytes(StandardCharsets.US_ASCII);

    private ReportedUsage() {}

    /**
     * Validates a JSON answer (the bytes from the buffer's position to its limit, which stay where they are) and returns
     * its usage; an answer that is not JSON is a gateway failure.
     */
    static Optional<TokenUsage> ofResponse(ByteBuffer body) {
        try (JsonParser parser = parserOf(body)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                throw new IOException("empty");
            }
            Optional<TokenUsage> usage = member(parser, "usage");
            if (parser.nextToken() != null) {
                throw new IOException("trailing content");
            }
            return usage;
        } catch (IOException e) {
            throw new ChowderException(ErrorCode.GATEWAY_FAILED, "Gateway error – its answer is not valid JSON.");
        }
    }

    /**
     * The usage in a {@code response.completed} event; empty for any other event or one that cannot be read. Only that
     * one event is parsed: the others are told apart by their first bytes. The event's position is kept.
     */
    static Optional<TokenUsage> ofCompletedEvent(ByteBuffer event) {
        if (!startsWith(event, COMPLETED)) {
            return Optional.empty();
        }
        int data = indexOf(event, DATA_LINE);
        if (data < 0) {
            return Optional.empty();
        }
        // The event holds the whole response, output included: read in place, not copied into an array and a string.
        try (JsonParser parser = parserOf(event.duplicate().position(data + DATA_LINE.length))) {
            parser.nextToken();
            return member(parser, "response");
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Where {@code wanted} first starts in the buffer's remaining bytes (an absolute index), or -1. */
    private static int indexOf(ByteBuffer bytes, byte[] wanted) {
        int last = bytes.limit() - wanted.length;
        outer:
        for (int start = bytes.position(); start <= last; start++) {
            for (int i = 0; i < wanted.length; i++) {
                if (bytes.get(start + i) != wanted[i]) {
                    continue outer;
                }
            }
            return start;
        }
        return -1;
    }

    /** A parser of the buffer's bytes: of its array where it has one, else through the factory's pooled read buffer. */
    private static JsonParser parserOf(ByteBuffer body) throws IOException {
        if (body.hasArray()) {
            return JSON.createParser(body.array(), body.arrayOffset() + body.position(), body.remaining());
        }
        return JSON.createParser(new ByteBufferInputStream(body.duplicate()));
    }

    /**
     * Past the value the parser is at: the usage in its member {@code name} (the last one), an object read as
     * {@code response} (holding {@code usage}) or as {@code usage} itself; empty for anything else.
     */
    private static Optional<TokenUsage> member(JsonParser parser, String name) throws IOException {
        if (parser.currentToken() != JsonToken.START_OBJECT) {
            parser.skipChildren();
            return Optional.empty();
        }
        Optional<TokenUsage> found = Optional.empty();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            parser.nextToken();
            if (!field.equals(name)) {
                parser.skipChildren();
            } else {
                found = name.equals("usage") ? usage(parser) : member(parser, "usage");
            }
        }
        return found;
    }

    /**
     * The usage object the parser is at, read token by token: both counts must be non-negative numbers that fit a long,
     * a fraction counting as its whole part.
     */
    private static Optional<TokenUsage> usage(JsonParser parser) throws IOException {
        if (parser.currentToken() != JsonToken.START_OBJECT) {
            parser.skipChildren();
            return Optional.empty();
        }
        long input = -1;
        long output = -1;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            JsonToken value = parser.nextToken();
            if (field.equals("input_tokens")) {
                input = count(parser, value);
            } else if (field.equals("output_tokens")) {
                output = count(parser, value);
            } else {
                parser.skipChildren();
            }
        }
        return input < 0 || output < 0 ? Optional.empty() : Optional.of(new TokenUsage(input, output));
    }

    /** A count's value, or -1 when it is not a number that fits a long. */
    private static long count(JsonParser parser, JsonToken value) throws IOException {
        if (value == JsonToken.VALUE_NUMBER_INT && parser.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
            return parser.getLongValue();
        }
        if (value == JsonToken.VALUE_NUMBER_FLOAT) {
            double number = parser.getDoubleValue();
            return number >= Long.MIN_VALUE && number <= Long.MAX_VALUE ? (long) number : -1;
        }
        parser.skipChildren();
        return -1;
    }

    private static boolean startsWith(ByteBuffer bytes, byte[] prefix) {
        if (bytes.remaining() < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (bytes.get(bytes.position() + i) != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
