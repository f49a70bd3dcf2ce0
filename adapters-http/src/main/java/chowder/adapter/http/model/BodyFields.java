package chowder.adapter.http.model;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The top-level fields of a model call's body that Chowder acts on, read in one strict pass over its bytes: one JSON
 * object in UTF-8, no key repeated at any depth, nothing after it, and those fields of the type every provider reads
 * them as. A provider must see the body exactly as Chowder read it; a body that two parsers could read differently
 * (Jackson keeps a repeated key's last value, others the first; vLLM and LiteLLM take {@code "stream": "yes"} for
 * true) is refused rather than relayed. The pass is a token stream, not a tree: strings Chowder does not read (the
 * conversation, images) are skipped, not copied.
 *
 * @param objectStart the byte offset of the body's opening brace
 * @param model the model named, empty when {@code model} is missing or not a string
 * @param maxTokens the largest of {@code max_tokens}, {@code max_completion_tokens} and {@code max_output_tokens}
 * @param choices {@code n}
 * @param toolTypes each tool's {@code type}, {@code null} where it has none
 */
record BodyFields(int objectStart, Optional<String> model, boolean stream, StreamOptions streamOptions, OptionalLong maxTokens,
        OptionalLong choices, Optional<String> serviceTier, boolean background, Optional<Boolean> store, boolean previousResponseId,
        boolean conversation, List<String> toolTypes, boolean webSearchOptions) {
    private static final JsonFactory JSON = JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    /** Where {@code stream_options} is, and what its {@code include_usage} holds: what the edit that sets it needs. */
    record StreamOptions(Kind kind, int valueStart, boolean empty, Optional<JsonToken> includeUsage, int includeUsageStart) {
        enum Kind {
            ABSENT,
            NULL,
            OBJECT
        }

        static final StreamOptions ABSENT = new StreamOptions(Kind.ABSENT, -1, true, Optional.empty(), -1);
    }

    /** Reads the fields, or throws {@link ModelCallRefused} (400) naming what is wrong. */
    static BodyFields read(byte[] body) {
        requireUtf8Object(body);
        try (JsonParser parser = JSON.createParser(body)) {
            return new Reader(parser).read();
        } catch (JsonProcessingException e) {
            String message = String.valueOf(e.getOriginalMessage());
            if (message.startsWith("Duplicate field '")) {
                String key = message.substring("Duplicate field '".length(), message.lastIndexOf('\''));
                throw refused("A model call's body must not repeat a key, and \"" + shorten(key) + "\" appears twice in one object: "
                        + "providers read a repeated key differently.");
            }
            throw refused("A model call's body must be JSON (" + shorten(message) + ").");
        } catch (IOException e) {
            throw refused("A model call's body must be JSON.");
        }
    }

    /**
     * Jackson would also read UTF-16 and UTF-32 (and skip a byte order mark), where byte offsets are no longer the
     * offsets of its tokens: only plain UTF-8 starting with the object is read.
     */
    private static void requireUtf8Object(byte[] body) {
        int first = 0;
        while (first < body.length && (body[first] == ' ' || body[first] == '\t' || body[first] == '\n' || body[first] == '\r')) {
            first++;
        }
        if (first == body.length || body[first] != '{') {
            throw refused("A model call's body must be a JSON object, in UTF-8.");
        }
        for (int i = first; i < Math.min(body.length, first + 4); i++) {
            if (body[i] == 0) {
                throw refused("A model call's body must be a JSON object, in UTF-8.");
            }
        }
    }

    private static ModelCallRefused refused(String message) {
        return new ModelCallRefused(Refusal.badRequest("invalid_request", message));
    }

    private static String shorten(String text) {
        return text.length() <= 120 ? text : text.substring(0, 120) + "…";
    }

    /** One pass over the tokens; holds what was read so far. */
    private static final class Reader {
        private final JsonParser parser;
        private Optional<String> model = Optional.empty();
        private boolean stream;
        private StreamOptions streamOptions = StreamOptions.ABSENT;
        private OptionalLong maxTokens = OptionalLong.empty();
        private OptionalLong choices = OptionalLong.empty();
        private Optional<String> serviceTier = Optional.empty();
        private boolean background;
        private Optional<Boolean> store = Optional.empty();
        private boolean previousResponseId;
        private boolean conversation;
        private final List<String> toolTypes = new ArrayList<>();
        private boolean webSearchOptions;

        Reader(JsonParser parser) {
            this.parser = parser;
        }

        BodyFields read() throws IOException {
            parser.nextToken();
            int objectStart = offset();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                field(name, value);
            }
            if (parser.nextToken() != null) {
                throw refused("A model call's body must be one JSON object with nothing after it.");
            }
            return new BodyFields(objectStart, model, stream, streamOptions, maxTokens, choices, serviceTier, background, store,
                    previousResponseId, conversation, Collections.unmodifiableList(toolTypes), webSearchOptions);
        }

        private void field(String name, JsonToken value) throws IOException {
            switch (name) {
                case "model" -> model = value == JsonToken.VALUE_STRING ? Optional.of(parser.getText()) : skip(Optional.empty());
                case "stream" -> stream = bool(name, value).orElse(false);
                case "stream_options" -> streamOptions = streamOptions(value);
                case "max_tokens", "max_completion_tokens", "max_output_tokens" -> maxTokens = larger(maxTokens, count(name, value));
                case "n" -> choices = count(name, value);
                case "service_tier" -> serviceTier = text(name, value);
                case "background" -> background = bool(name, value).orElse(false);
                case "store" -> store = bool(name, value);
                case "previous_response_id" -> previousResponseId = skip(value != JsonToken.VALUE_NULL);
                case "conversation" -> conversation = skip(value != JsonToken.VALUE_NULL);
                case "web_search_options" -> webSearchOptions = skip(value != JsonToken.VALUE_NULL);
                case "tools" -> tools(value);
                default -> parser.skipChildren();
            }
        }

        private StreamOptions streamOptions(JsonToken value) throws IOException {
            int start = offset();
            if (value == JsonToken.VALUE_NULL) {
                return new StreamOptions(StreamOptions.Kind.NULL, start, true, Optional.empty(), -1);
            }
            if (value != JsonToken.START_OBJECT) {
                throw refused("stream_options must be an object.");
            }
            boolean empty = true;
            Optional<JsonToken> includeUsage = Optional.empty();
            int includeUsageStart = -1;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                empty = false;
                String name = parser.currentName();
                JsonToken option = parser.nextToken();
                if (name.equals("include_usage")) {
                    bool("stream_options.include_usage", option);
                    includeUsage = Optional.of(option);
                    includeUsageStart = offset();
                } else {
                    parser.skipChildren();
                }
            }
            return new StreamOptions(StreamOptions.Kind.OBJECT, start, empty, includeUsage, includeUsageStart);
        }

        private void tools(JsonToken value) throws IOException {
            if (value == JsonToken.VALUE_NULL) {
                return;
            }
            if (value != JsonToken.START_ARRAY) {
                throw refused("tools must be an array.");
            }
            while (parser.nextToken() != JsonToken.END_ARRAY) {
                if (parser.currentToken() != JsonToken.START_OBJECT) {
                    throw refused("tools[" + toolTypes.size() + "] must be an object.");
                }
                String type = null;
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    boolean isType = parser.currentName().equals("type");
                    JsonToken field = parser.nextToken();
                    if (isType) {
                        type = text("tools[" + toolTypes.size() + "].type", field).orElse(null);
                    } else {
                        parser.skipChildren();
                    }
                }
                toolTypes.add(type);
            }
        }

        /** JSON true, false or null (absent): what every provider reads alike. */
        private Optional<Boolean> bool(String name, JsonToken value) {
            return switch (value) {
                case VALUE_TRUE -> Optional.of(true);
                case VALUE_FALSE -> Optional.of(false);
                case VALUE_NULL -> Optional.empty();
                default -> throw refused(name + " must be true or false.");
            };
        }

        private Optional<String> text(String name, JsonToken value) throws IOException {
            return switch (value) {
                case VALUE_STRING -> Optional.of(parser.getText());
                case VALUE_NULL -> Optional.empty();
                default -> throw refused(name + " must be a string.");
            };
        }

        /** A whole number of zero or more, or null; one too large for a long counts as the largest. */
        private OptionalLong count(String name, JsonToken value) throws IOException {
            if (value == JsonToken.VALUE_NULL) {
                return OptionalLong.empty();
            }
            if (value != JsonToken.VALUE_NUMBER_INT) {
                throw refused(name + " must be a whole number of zero or more.");
            }
            boolean huge = parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER;
            long number = huge ? (parser.getBigIntegerValue().signum() < 0 ? -1 : Long.MAX_VALUE) : parser.getLongValue();
            if (number < 0) {
                throw refused(name + " must be a whole number of zero or more.");
            }
            return OptionalLong.of(number);
        }

        private <T> T skip(T result) throws IOException {
            parser.skipChildren();
            return result;
        }

        private static OptionalLong larger(OptionalLong one, OptionalLong other) {
            if (one.isEmpty()) {
                return other;
            }
            return other.isEmpty() ? one : OptionalLong.of(Math.max(one.getAsLong(), other.getAsLong()));
        }

        private int offset() {
            return Math.toIntExact(parser.currentTokenLocation().getByteOffset());
        }
    }
}
