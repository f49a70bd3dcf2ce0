package chowder.adapter.http.responses;

import static java.util.Objects.requireNonNull;

import chowder.adapter.http.JsonBodies;
import chowder.adapter.http.ReceivedBody;
import chowder.application.port.Cancellation;
import chowder.application.port.ResponseRequest;
import chowder.domain.ChowderException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.LongConsumer;

/**
 * Reads an OpenResponses request in one pass, without building a tree or copying the body: the body is held as it
 * arrived, parsed once to find {@code model} and check {@code stream} and {@code input} (strings are skipped, not
 * decoded), and every other field is forwarded as views of the client's own bytes, {@code model} cut out.
 */
final class ResponsesRequestReader {
    // A repeated member is allowed (the last one wins, as most JSON readers have it); this many is no client's mistake.
    static final int MAX_MODEL_MEMBERS = 64;

    private final JsonBodies bodies;

    ResponsesRequestReader(JsonBodies bodies) {
        this.bodies = requireNonNull(bodies, "bodies is null");
    }

    /**
     * The request in {@code in} ({@code declared} bytes long, or -1 when unknown), each part of it reserved with
     * {@code reserve} before it is held.
     */
    ResponseRequest read(InputStream in, long declared, LongConsumer reserve, Cancellation cancellation, String requestId) {
        ReceivedBody body = bodies.receive(in, declared, reserve);
        Fields fields = bodies.parse(body, parser -> {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw JsonBodies.notAnObject();
            }
            Fields found = new Fields();
            // The object alone: white space or a byte order mark around it is not forwarded.
            found.objectStart = parser.currentTokenLocation().getByteOffset();
            if (found.objectStart < 0) {
                // Jackson read UTF-16 or UTF-32, where it counts characters, not bytes; the gateway takes UTF-8 only.
                throw notUtf8();
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                long nameStart = parser.currentTokenLocation().getByteOffset();
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                boolean forwarded = found.take(name, value, parser);
                parser.skipChildren();
                if (!forwarded) {
                    if (found.modelMembers.size() == MAX_MODEL_MEMBERS) {
                        // Each is a cut to make: 20 MiB of ",\"model\":0" made two million of them (150 MB held).
                        throw ChowderException.invalidRequest("model appears more than " + MAX_MODEL_MEMBERS + " times in the request body.");
                    }
                    // The value's end: a string was read whole (the model's text), a structure skipped to its close.
                    found.modelMembers.add(new long[] {nameStart, parser.currentLocation().getByteOffset()});
                }
            }
            found.objectEnd = parser.currentLocation().getByteOffset();
            return found;
        });
        if (!body.isWellFormedUtf8()) {
            throw notUtf8();
        }
        fields.validate();
        return new ResponseRequest(fields.model(), fields.stream(), withoutMembers(body, fields.objectStart, fields.objectEnd,
                fields.modelMembers), cancellation,
                Optional.of(requestId));
    }

    /**
     * The object without the members at {@code members} (name start to value end), each with one comma next to it
     * (the one after it, or before it when it is the last member), as views of the body.
     */
    static List<ByteBuffer> withoutMembers(ReceivedBody body, long objectStart, long objectEnd, List<long[]> members) {
        List<long[]> cuts = new ArrayList<>(members.size());
        for (long[] member : members) {
            long after = member[1];
            while (isWhitespace(body.at(after))) {
                after++;
            }
            if (body.at(after) == ',') {
                cuts.add(new long[] {member[0], after + 1});
                continue;
            }
            // The last member: the comma before it goes, found past white space and the members already cut.
            long before = member[0] - 1;
            int previous = cuts.size() - 1;
            while (isWhitespace(body.at(before)) || previous >= 0 && cuts.get(previous)[1] == before + 1) {
                before = isWhitespace(body.at(before)) ? before - 1 : cuts.get(previous--)[0] - 1;
            }
            cuts.add(new long[] {body.at(before) == ',' ? before : member[0], member[1]});
        }
        // The last cut may reach back over earlier ones: in order of their starts, overlapping cuts merge.
        cuts.sort(java.util.Comparator.comparingLong(cut -> cut[0]));
        List<ByteBuffer> kept = new ArrayList<>(cuts.size() + 1);
        long from = objectStart;
        for (long[] cut : cuts) {
            if (cut[0] > from) {
                kept.addAll(body.slice(from, cut[0]));
            }
            from = Math.max(from, cut[1]);
        }
        kept.addAll(body.slice(from, objectEnd));
        return kept;
    }

    private static ChowderException notUtf8() {
        return ChowderException.invalidRequest("Request body is not valid JSON: it must be UTF-8 (RFC 8259), and it is not.");
    }

    /** JSON's white space (RFC 8259): also what surrounds an SSE line the relay compares. */
    static boolean isWhitespace(byte b) {
        return b == ' ' || b == '\t' || b == '\n' || b == '\r';
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
        private final List<long[]> modelMembers = new ArrayList<>(1);
        private long objectStart;
        private long objectEnd;

        /** Notes the field; false for the one field that is not forwarded ({@code model}). */
        boolean take(String name, JsonToken value, JsonParser parser) throws IOException {
            switch (name) {
                case "model" -> {
                    modelType = value;
                    model = value == JsonToken.VALUE_STRING ? parser.getText() : null;
                    return false;
                }
                case "stream" -> streamType = value;
                case "input" -> hasInput = value != JsonToken.VALUE_NULL;
                default -> {
                    // forwarded as it came
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
