package chowder.adapter.http;

import static java.util.Objects.requireNonNull;

import chowder.application.port.out.Cancellation;
import chowder.application.port.out.ResponseRequest;
import chowder.domain.ChowderException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.javalin.http.Context;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Optional;

/**
 * Reads an OpenResponses request in one pass, without building a tree: {@code model} is taken out, every other
 * field is copied through as it came (numbers exactly), and {@code stream} and {@code input} are checked on the way.
 * A large body is held once, as the bytes that go to the gateway, rather than as a tree plus its serialisation.
 */
final class ResponsesRequestReader {
    private static final int SMALL_BODY = 1024;
    // A declared length is only a claim: never reserve more than this before the bytes have arrived.
    private static final int LARGEST_FIRST_BUFFER = 64 * 1024;

    private final JsonBodies bodies;
    private final JsonFactory json;

    ResponsesRequestReader(JsonBodies bodies, JsonFactory json) {
        this.bodies = requireNonNull(bodies, "bodies is null");
        this.json = requireNonNull(json, "json is null");
    }

    ResponseRequest read(Context ctx, Cancellation cancellation, String requestId) {
        long declared = ctx.req().getContentLengthLong();
        return bodies.parse(ctx, parser -> {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw JsonBodies.notAnObject();
            }
            ByteArrayOutputStream otherFields = new ByteArrayOutputStream(
                    declared > 0 ? (int) Math.min(declared, LARGEST_FIRST_BUFFER) : SMALL_BODY);
            Fields fields = new Fields();
            try (JsonGenerator out = json.createGenerator(otherFields)) {
                out.writeStartObject();
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String name = parser.currentName();
                    JsonToken value = parser.nextToken();
                    if (fields.take(name, value, parser)) {
                        out.writeFieldName(name);
                        out.copyCurrentStructureExact(parser);
                    }
                }
                out.writeEndObject();
            }
            fields.validate();
            return new ResponseRequest(fields.model(), fields.stream(), otherFields.toByteArray(), cancellation, Optional.of(requestId));
        });
    }

    /**
     * What the reader needs to know of the fields. The last occurrence of a repeated field wins, as in a JSON tree, so
     * types are checked once the whole body has been read (which also leaves no unread request bytes).
     */
    private static final class Fields {
        private JsonToken modelType;
        private String model;
        private JsonToken streamType;
        private boolean hasInput;

        /** Notes the field; false for the one field that is not forwarded ({@code model}). */
        boolean take(String name, JsonToken value, JsonParser parser) throws IOException {
            switch (name) {
                case "model" -> {
                    modelType = value;
                    model = value == JsonToken.VALUE_STRING ? parser.getText() : null;
                    parser.skipChildren();
                    return false;
                }
                case "stream" -> streamType = value;
                case "input" -> hasInput = value != JsonToken.VALUE_NULL;
                default -> {
                    // copied as it is
                }
            }
            return true;
        }

        /** Throws the first thing wrong with the request, in the order a reader of the API would check it. */
        void validate() {
            if (!hasInput) {
                throw ChowderException.invalidRequest("input is required: a string or a list of OpenResponses input items.");
            }
            if (modelType != null && modelType != JsonToken.VALUE_STRING && modelType != JsonToken.VALUE_NULL) {
                throw ChowderException.invalidRequest("model must be a string.");
            }
            if (streamType != null && streamType != JsonToken.VALUE_TRUE && streamType != JsonToken.VALUE_FALSE
                    && streamType != JsonToken.VALUE_NULL) {
                throw ChowderException.invalidRequest("stream must be true or false.");
            }
        }

        Optional<String> model() {
            return Optional.ofNullable(model);
        }

        boolean stream() {
            return streamType == JsonToken.VALUE_TRUE;
        }
    }
}
