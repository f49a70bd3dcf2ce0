package chowder.application.port.out;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * An OpenResponses request on its way to a gateway: the client's {@code model} taken out, every other
 * field of the JSON object untouched (as UTF-8 JSON object bytes), whether it asks for a stream, and
 * the signal raised when its client goes away, and the id the client's request is logged under (passed on
 * so that the gateway's logs can be correlated with Chowder's).
 */
public record ResponseRequest(Optional<String> model, boolean stream, byte[] otherFieldsJson, Cancellation cancellation,
        Optional<String> requestId) {
    public ResponseRequest {
        requireNonNull(model, "model is null");
        requireNonNull(cancellation, "cancellation is null");
        requireNonNull(requestId, "requestId is null");
        requireNonNull(otherFieldsJson, "otherFieldsJson is null");
        if (otherFieldsJson.length < 2 || otherFieldsJson[0] != '{') {
            throw new IllegalArgumentException("otherFieldsJson is not a JSON object");
        }
    }

    /** A request without a request id. */
    public ResponseRequest(Optional<String> model, boolean stream, byte[] otherFieldsJson, Cancellation cancellation) {
        this(model, stream, otherFieldsJson, cancellation, Optional.empty());
    }

    /** A request whose client never goes away (tests, internal callers). */
    public ResponseRequest(Optional<String> model, boolean stream, byte[] otherFieldsJson) {
        this(model, stream, otherFieldsJson, Cancellation.none());
    }
}
