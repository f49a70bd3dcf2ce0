package chowder.adapter.http;

import static java.util.Objects.requireNonNull;

import chowder.adapter.http.admin.AdminRoutes;
import chowder.domain.Caller;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.MemoryBudget;
import chowder.domain.OrganizationId;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import java.util.UUID;
import java.util.function.LongConsumer;
import org.eclipse.jetty.http.BadMessageException;

/**
 * Reads request bodies as JSON objects under the configured size limit: a declared
 * {@code Content-Length} over it is refused before a byte is read, and an undeclared one is
 * counted while it streams into the parser, never buffered whole first.
 */
public final class JsonBodies {
    // Jackson's bounds on the shape of JSON stay, stated here: reading a number takes time that grows faster than its
    // length, trees are built recursively, and no field of the API has a long name. Strings and whole documents are
    // bounded only by the size limit (Jackson's own 20,000,000-character strings would refuse bodies under 20 MiB).
    static final int MAX_NUMBER_LENGTH = 1000;
    static final int MAX_NESTING_DEPTH = 1000;
    static final int MAX_NAME_LENGTH = 50_000;
    // A control-plane body becomes a tree of nodes, some 30 times its bytes ({} is 2 bytes, an ObjectNode and its map
    // ~100): 1 MiB of empty objects was 32 MB of heap. Every token counts, brackets included; the densest valid body is an
    // instance's openclaw_config of 65,536 characters (up to ~43,000 tokens), a key's 1,000 session ids ~1,000.
    static final long MAX_CONTROL_TOKENS = 100_000;

    static final String HELD_BYTES_METRIC = "chowder.http.buffered";
    static final String BUSY = "Chowder is busy – the request bodies it holds in memory have reached their limit; retry in a moment.";
    // A turn's body is held until its agent answers, which may take minutes: a client retrying every second would only
    // send its body again and again to be refused.
    static final long BUSY_RETRY_AFTER_SECONDS = 5;

    /** The budget request bodies are held under: at most {@code max} bytes at once, {@code perOrganization} for one organization. */
    public static MemoryBudget heldBodies(long max, long perOrganization) {
        return new MemoryBudget(max, perOrganization, BUSY, BUSY_RETRY_AFTER_SECONDS);
    }

    // Who holds the bodies read without a key (sign-up), in a budget of their own.
    private static final OrganizationId NO_ORGANIZATION = new OrganizationId(new UUID(0, 0));

    private final ObjectMapper json;
    private final ObjectMapper controlJson;
    private final long maxRequestBytes;
    private final long maxControlBodyBytes;
    private final MemoryBudget heldBodies;
    // Bodies anyone may send (sign-up) hold at most one control body at once, all together: counted with the tenants',
    // they could take an organization's half of theirs from everyone.
    private final MemoryBudget anonymousBodies;

    /**
     * @param maxRequestBytes the largest body: a turn's on the responses routes, a file's content as JSON
     * @param maxControlBodyBytes the largest body of every other route (keys, instances, settings), read as a tree
     * @param heldBodies what the bodies being read may hold at once: a control-plane body's bytes count while it is parsed
     */
    JsonBodies(ObjectMapper json, long maxRequestBytes, long maxControlBodyBytes, MemoryBudget heldBodies) {
        this.json = json;
        this.controlJson = json.copyWith(json.getFactory().copy().setStreamReadConstraints(constraints(maxRequestBytes).rebuild()
                .maxTokenCount(MAX_CONTROL_TOKENS).build()));
        this.maxRequestBytes = maxRequestBytes;
        this.maxControlBodyBytes = Math.min(maxControlBodyBytes, maxRequestBytes);
        this.heldBodies = requireNonNull(heldBodies, "heldBodies is null");
        this.anonymousBodies = new MemoryBudget(2 * this.maxControlBodyBytes, BUSY, BUSY_RETRY_AFTER_SECONDS);
    }

    /** What the JSON reader accepts of a client's body: the size limit, and the shape limits above. */
    static StreamReadConstraints constraints(long maxRequestBytes) {
        return StreamReadConstraints.builder()
                .maxDocumentLength(maxRequestBytes)
                // A string has at most as many characters as the body has bytes.
                .maxStringLength((int) Math.min(maxRequestBytes, Integer.MAX_VALUE))
                .maxNumberLength(MAX_NUMBER_LENGTH)
                .maxNestingDepth(MAX_NESTING_DEPTH)
                .maxNameLength(MAX_NAME_LENGTH)
                .build();
    }

    /** The body of a control-plane route, at most the control body limit. */
    public ObjectNode readObject(Context ctx) {
        return readObject(ctx, maxControlBodyBytes);
    }

    /** The body of the one control-plane route that carries a file's content (as JSON), at most the request limit. */
    public ObjectNode readContentObject(Context ctx) {
        return readObject(ctx, maxRequestBytes);
    }

    private ObjectNode readObject(Context ctx, long limit) {
        return parse(ctx, limit, parser -> {
            JsonNode body = parser.readValueAsTree();
            if (body == null || !body.isObject()) {
                throw notAnObject();
            }
            return (ObjectNode) body;
        });
    }

    /**
     * As {@link #readObject(Context)} for a route whose body is optional: empty when the request has no body at all,
     * however it says so (no {@code Content-Length}, as {@code curl -X POST} sends, a zero one, an empty chunked one) or
     * only whitespace.
     */
    public Optional<ObjectNode> readOptionalObject(Context ctx) {
        return Optional.ofNullable(parse(ctx, maxControlBodyBytes, parser -> {
            if (parser.nextToken() == null) {
                return null;
            }
            JsonNode body = parser.readValueAsTree();
            if (!body.isObject()) {
                throw notAnObject();
            }
            return (ObjectNode) body;
        }));
    }

    /** What reads a body from its parser; it must consume exactly one JSON value. */
    public interface BodyReader<T> {
        T read(JsonParser parser) throws IOException;
    }

    /**
     * Parses the body under the size limit with {@code reader}: a body over the limit is a 413, invalid JSON and
     * content after the value are 400s.
     */
    <T> T parse(Context ctx, BodyReader<T> reader) {
        return parse(ctx, maxControlBodyBytes, reader);
    }

    private <T> T parse(Context ctx, long limit, BodyReader<T> reader) {
        if (ctx.req().getContentLengthLong() > limit) {
            throw tooLarge(limit);
        }
        // What is read turns into strings and nodes as it arrives: a body trickled in over many connections would
        // otherwise grow without bound. Counted until the tree is built; the route's work on it is short.
        MemoryBudget.Hold held = holdFor(ctx);
        try (held) {
            InputStream in = new LimitedInputStream(ctx.req().getInputStream(), limit, ctx.req().getContentLengthLong(),
                    held == null ? bytes -> {} : held::grow);
            return parse(() -> controlJson.createParser(in), in, reader);
        } catch (IOException e) {
            throw new UnreadableRequestBody(e);
        }
    }

    /** Where a control-plane body is counted: its caller's organization, the bodies sent without a key, or nowhere (the operator's). */
    private MemoryBudget.Hold holdFor(Context ctx) {
        Caller caller = BearerAuthentication.find(ctx);
        if (caller != null) {
            return heldBodies.open(caller.organizationId());
        }
        // The admin API's routes read a body only once its token was checked.
        return ctx.path().startsWith(AdminRoutes.PREFIX) ? null : anonymousBodies.open(NO_ORGANIZATION);
    }

    /**
     * The body under the size limit, held as it arrives (see {@link ReceivedBody}), for {@link #parse(ReceivedBody, BodyReader)}:
     * its first part now (all of a small body), the rest as the parser reads it. {@code reserve} is told of each part
     * before it is allocated, and may refuse it by throwing.
     */
    public ReceivedBody receive(InputStream body, long declared, LongConsumer reserve) {
        if (declared > maxRequestBytes) {
            throw tooLarge();
        }
        try {
            return ReceivedBody.begin(body, declared, maxRequestBytes, this::tooLarge, reserve);
        } catch (IOException | BadMessageException e) {
            throw new UnreadableRequestBody(e);
        }
    }

    /** Parses {@code in} with {@code reader}, as {@link #parse(Context, BodyReader)} does. */
    public <T> T parse(InputStream in, BodyReader<T> reader) {
        return parse(() -> json.createParser(in), in, reader);
    }

    /**
     * Parses a received body with {@code reader}, as {@link #parse(Context, BodyReader)} does, which reads it to its end: a
     * body that arrived as one part (any small one) is parsed in place, without a stream copying it into the parser's
     * buffer; a larger one as it arrives.
     */
    public <T> T parse(ReceivedBody body, BodyReader<T> reader) {
        byte[] whole = body.onlyPart();
        if (whole == null) {
            return parse(body.stream(), reader);
        }
        return parse(() -> json.createParser(whole), InputStream.nullInputStream(), reader);
    }

    private interface ParserSource {
        JsonParser open() throws IOException;
    }

    private <T> T parse(ParserSource source, InputStream in, BodyReader<T> reader) {
        try (in; JsonParser parser = source.open()) {
            T body = reader.read(parser);
            // Read to the end: trailing content is an error, and the connection must hold no unread request bytes.
            if (parser.nextToken() != null) {
                throw ChowderException.invalidRequest("Request body is not valid JSON: there is content after the JSON value.");
            }
            return body;
        } catch (JacksonException e) {
            if (e.getCause() instanceof ChowderException limit) {
                throw limit;
            }
            if (e.getCause() instanceof BadMessageException broken) {
                throw new UnreadableRequestBody(broken);
            }
            if (e instanceof StreamConstraintsException beyond) {
                throw beyondShapeLimits(beyond);
            }
            throw ChowderException.invalidRequest("Request body is not valid JSON: " + whereAndWhat(e));
        } catch (ChowderException e) {
            throw e;
        } catch (IOException | BadMessageException e) {
            // Jackson reports JSON errors as JacksonException: any other failure came from reading the body.
            throw new UnreadableRequestBody(e);
        }
    }

    /**
     * Jackson's problem with the place it was found ({@code at line 1, column 12}), without the parts of its message
     * that speak of its own configuration ({@code [Source: REDACTED (`StreamReadFeature…` disabled); …]}).
     */
    static String whereAndWhat(JacksonException e) {
        String what = String.valueOf(e.getOriginalMessage())
                .replaceAll("\\[Source: [^\\]]*?; line: (\\d+), column: (\\d+)\\]", "line $1, column $2")
                .replaceAll("\\s*\\[Source: [^\\]]*\\]", "")
                .replaceAll("\\s+", " ")
                .strip();
        JsonLocation location = e.getLocation();
        if (location == null || location.getLineNr() < 1) {
            return what;
        }
        return what + " (at line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
    }

    /** Jackson's message names its own configuration: say which limit it was in the API's words instead. */
    private ChowderException beyondShapeLimits(StreamConstraintsException e) {
        String message = String.valueOf(e.getOriginalMessage());
        if (message.startsWith("Document length")) {
            return tooLarge();
        }
        String what = message.startsWith("Number value length") ? "a number is longer than " + MAX_NUMBER_LENGTH + " characters"
                : message.startsWith("Document nesting depth") ? "it nests deeper than " + MAX_NESTING_DEPTH + " levels"
                : message.startsWith("Name length") ? "a field name is longer than " + MAX_NAME_LENGTH + " characters"
                : message.startsWith("Token count") ? "it holds more than " + MAX_CONTROL_TOKENS + " JSON tokens (each value, field name and bracket counts)"
                : "it is beyond the limits of the JSON reader";
        return ChowderException.invalidRequest("Request body is not accepted: " + what + ".");
    }

    public static ChowderException notAnObject() {
        return ChowderException.invalidRequest("Request body must be a JSON object.");
    }

    /** A string field, or null when absent or JSON null; any other type is a validation error naming the field. */
    public static String optionalString(ObjectNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw ChowderException.validationFailed(field + " must be a string.");
        }
        return value.asText();
    }

    private ChowderException tooLarge() {
        return tooLarge(maxRequestBytes);
    }

    private static ChowderException tooLarge(long limit) {
        return new ChowderException(ErrorCode.PAYLOAD_TOO_LARGE, "Request body is larger than the limit of " + limit + " bytes.");
    }

    /** Counts bytes as they are read and stops at the limit. */
    private static final class LimitedInputStream extends FilterInputStream {
        // Bytes are reserved this many at a time, not on each read of a few KiB.
        private static final int RESERVE_STEP = 64 * 1024;
        private final long limit;
        // What may ever be reserved: the limit, or less when the body declares its length.
        private final long reservable;
        private final LongConsumer reserve;
        private long remaining;
        private long reserved;

        LimitedInputStream(InputStream in, long limit, long declared, LongConsumer reserve) {
            super(in);
            this.limit = limit;
            this.remaining = limit;
            this.reservable = declared >= 0 ? Math.min(declared, limit) : limit;
            this.reserve = reserve;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                counted(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int read = super.read(buffer, offset, length);
            if (read > 0) {
                counted(read);
            }
            return read;
        }

        private void counted(int read) {
            remaining -= read;
            if (remaining < 0) {
                throw tooLarge(limit);
            }
            long needed = limit - remaining - reserved;
            if (needed > 0) {
                // A body longer than it declared is a broken message Jetty refuses; its bytes still count as read.
                long step = Math.max(needed, Math.min(RESERVE_STEP, reservable - reserved));
                reserve.accept(step);
                reserved += step;
            }
        }
    }
}
