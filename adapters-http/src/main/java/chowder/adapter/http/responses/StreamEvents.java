package chowder.adapter.http.responses;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * What the relay needs to know of an OpenResponses event stream: whether an event is {@code [DONE]} or a final event
 * (after which the gateway sends only {@code [DONE]}), and the {@code response.failed} event, in the gateway's own
 * shape, that ends a stream the gateway broke. Events are compared as bytes: decoding each relayed event to a String
 * only to look at its first line cost an allocation per event.
 */
final class StreamEvents {
    static final ByteBuffer DONE = ByteBuffer.wrap("data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII)).asReadOnlyBuffer();
    private static final byte[] DONE_LINE = "data: [DONE]".getBytes(StandardCharsets.US_ASCII);
    private static final List<byte[]> FINAL_EVENTS = Stream.of("response.completed", "response.failed", "response.incomplete")
            .map(type -> ("event: " + type).getBytes(StandardCharsets.US_ASCII)).toList();

    private final ObjectMapper json;

    StreamEvents(ObjectMapper json) {
        this.json = json;
    }

    /** A {@code response.failed} event whose error says {@code message}. */
    ByteBuffer failed(String message) {
        ObjectNode failed = json.createObjectNode().put("type", "response.failed");
        ObjectNode response = failed.putObject("response")
                .put("id", "resp_" + UUID.randomUUID().toString().replace("-", ""))
                .put("object", "response")
                .put("created_at", System.currentTimeMillis() / 1000)
                .put("status", "failed")
                .put("model", "openclaw");
        response.putArray("output");
        response.putObject("usage").put("input_tokens", 0).put("output_tokens", 0).put("total_tokens", 0);
        response.putObject("error").put("code", "api_error").put("message", message);
        try {
            return ByteBuffer.wrap(("event: response.failed\ndata: " + json.writeValueAsString(failed) + "\n\n").getBytes(StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of strings and numbers always serialises", e);
        }
    }

    static boolean isDone(ByteBuffer event) {
        int start = event.position();
        int end = event.limit();
        while (start < end && ResponsesRequestReader.isWhitespace(event.get(start))) {
            start++;
        }
        while (end > start && ResponsesRequestReader.isWhitespace(event.get(end - 1))) {
            end--;
        }
        return end - start == DONE_LINE.length && startsWith(event, start, DONE_LINE);
    }

    /** An event after which the gateway sends only {@code [DONE]}: the response is complete or failed. */
    static boolean isFinal(ByteBuffer event) {
        for (byte[] prefix : FINAL_EVENTS) {
            if (event.remaining() >= prefix.length && startsWith(event, event.position(), prefix)) {
                return true;
            }
        }
        return false;
    }

    private static boolean startsWith(ByteBuffer event, int at, byte[] prefix) {
        for (int i = 0; i < prefix.length; i++) {
            if (event.get(at + i) != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
