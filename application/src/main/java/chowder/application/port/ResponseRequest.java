package chowder.application.port;

import static java.util.Objects.requireNonNull;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;

/**
 * An OpenResponses request on its way to a gateway: the client's {@code model} taken out, every other
 * field of the JSON object untouched (UTF-8 JSON object bytes, in parts: views of the client's body as it arrived, so
 * that a large body is never copied), whether it asks for a stream, the signal raised when its client goes away, and
 * the id the client's request is logged under (passed on so that the gateway's logs can be correlated with Chowder's).
 */
public record ResponseRequest(Optional<String> model, boolean stream, List<ByteBuffer> otherFields, Cancellation cancellation,
        Optional<String> requestId) {
    public ResponseRequest {
        requireNonNull(model, "model is null");
        requireNonNull(cancellation, "cancellation is null");
        requireNonNull(requestId, "requestId is null");
        requireNonNull(otherFields, "otherFields is null");
        ByteBuffer[] views = new ByteBuffer[otherFields.size()];
        for (int i = 0; i < views.length; i++) {
            views[i] = otherFields.get(i).asReadOnlyBuffer();
        }
        otherFields = List.of(views);
        if (otherFields.isEmpty() || !otherFields.getFirst().hasRemaining() || otherFields.getFirst().get(otherFields.getFirst().position()) != '{') {
            throw new IllegalArgumentException("otherFields is not a JSON object");
        }
    }

    /** A request whose other fields are one array. */
    public ResponseRequest(Optional<String> model, boolean stream, byte[] otherFieldsJson, Cancellation cancellation,
            Optional<String> requestId) {
        this(model, stream, List.of(ByteBuffer.wrap(otherFieldsJson)), cancellation, requestId);
    }

    /** A request without a request id. */
    public ResponseRequest(Optional<String> model, boolean stream, byte[] otherFieldsJson, Cancellation cancellation) {
        this(model, stream, otherFieldsJson, cancellation, Optional.empty());
    }

    /** A request whose client never goes away (tests, internal callers). */
    public ResponseRequest(Optional<String> model, boolean stream, byte[] otherFieldsJson) {
        this(model, stream, otherFieldsJson, Cancellation.none());
    }

    /** The parts, each a fresh view: reading one never moves another reader's position. */
    @Override
    public List<ByteBuffer> otherFields() {
        // A loop, not a stream: this runs once per forwarded request.
        ByteBuffer[] views = new ByteBuffer[otherFields.size()];
        for (int i = 0; i < views.length; i++) {
            views[i] = otherFields.get(i).duplicate();
        }
        return List.of(views);
    }

    /** The other fields in one array: a copy, for callers that need the whole object at once (not the forwarding path). */
    public byte[] otherFieldsJson() {
        int length = otherFields.stream().mapToInt(ByteBuffer::remaining).sum();
        ByteBuffer whole = ByteBuffer.allocate(length);
        otherFields().forEach(whole::put);
        return whole.array();
    }
}
