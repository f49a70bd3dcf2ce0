package chowder.application.port.out;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * An OpenResponses request on its way to a gateway: the client's {@code model} and {@code stream}
 * taken out, and every other field of the JSON object, untouched, as UTF-8 JSON object bytes.
 */
public record ResponseRequest(Optional<String> model, boolean stream, byte[] otherFieldsJson) {
    public ResponseRequest {
        requireNonNull(model, "model is null");
        requireNonNull(otherFieldsJson, "otherFieldsJson is null");
        if (otherFieldsJson.length < 2 || otherFieldsJson[0] != '{') {
            throw new IllegalArgumentException("otherFieldsJson is not a JSON object");
        }
    }
}
