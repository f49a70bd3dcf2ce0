package chowder.adapter.http.model;

import static java.nio.charset.StandardCharsets.US_ASCII;

import chowder.application.port.in.AuthorizeModelCallUseCase.Account;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.ModelApi;
import com.fasterxml.jackson.core.JsonToken;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The body of a model call as it goes upstream, once Chowder checked it ({@link BodyFields}: one strict reading that
 * the provider will share) against what a tenant may ask for:
 *
 * <ul>
 *   <li>one of the models the operator offers with the provider (a tenant must not pick a dearer one);
 *   <li>nothing billed other than in tokens, which budgets count ({@link ModelCallPolicy});
 *   <li>a streamed chat completion asks for its usage chunk ({@code stream_options.include_usage}): without it OpenAI
 *       reports no tokens, and a call the agent made itself could spend without being counted;
 *   <li>a Responses call on the operator's account is not stored ({@code "store": false} when it says nothing): a
 *       stored response would stay in the operator's account, for any organization sharing it to continue.
 * </ul>
 *
 * The bytes relayed are those received, changed only by inserting or replacing a value at an offset of the strict
 * reading: nothing is parsed and written again, so numbers and strings go out exactly as the gateway sent them.
 */
record ModelCallBody(byte[] bytes, boolean stream, CallEstimate estimate) {
    private static final byte[] INCLUDE_USAGE = "\"include_usage\":true".getBytes(US_ASCII);
    private static final byte[] STREAM_OPTIONS = "\"stream_options\":{\"include_usage\":true},".getBytes(US_ASCII);
    private static final byte[] STREAM_OPTIONS_VALUE = "{\"include_usage\":true}".getBytes(US_ASCII);
    private static final byte[] TRUE = "true".getBytes(US_ASCII);
    private static final byte[] NOT_STORED = "\"store\":false,".getBytes(US_ASCII);

    /**
     * Checks a call's body; throws {@link ModelCallRefused} (400) or a {@code PERMISSION_DENIED} error (403, a model not
     * offered) naming what is wrong.
     */
    static ModelCallBody of(byte[] received, ModelApi api, Set<String> models, Account account, long defaultOutputTokens) {
        BodyFields fields = BodyFields.read(received);
        if (fields.model().filter(models::contains).isEmpty()) {
            throw new ChowderException(ErrorCode.PERMISSION_DENIED, "model must be one of " + models.stream().sorted().toList()
                    + " (the models this Chowder offers with this provider).");
        }
        ModelCallPolicy.check(fields, api, account);
        List<Edit> edits = new ArrayList<>(2);
        if (api == ModelApi.OPENAI_COMPLETIONS && fields.stream()) {
            includeUsage(fields.streamOptions(), fields.objectStart()).ifPresent(edits::add);
        }
        if (api == ModelApi.OPENAI_RESPONSES && account == Account.OPERATOR && fields.store().isEmpty()) {
            edits.add(Edit.insert(fields.objectStart() + 1, NOT_STORED));
        }
        CallEstimate estimate = CallEstimate.of(received.length, fields.maxTokens(),
                api == ModelApi.OPENAI_COMPLETIONS ? fields.choices() : OptionalLong.empty(), defaultOutputTokens);
        return new ModelCallBody(Edit.apply(received, edits), fields.stream(), estimate);
    }

    /** The edit that makes {@code stream_options.include_usage} true, where it is not already. */
    private static Optional<Edit> includeUsage(BodyFields.StreamOptions options, int objectStart) {
        return switch (options.kind()) {
            case ABSENT -> Optional.of(Edit.insert(objectStart + 1, STREAM_OPTIONS));
            case NULL -> Optional.of(new Edit(options.valueStart(), "null".length(), STREAM_OPTIONS_VALUE));
            case OBJECT -> {
                if (options.includeUsage().isEmpty()) {
                    byte[] member = options.empty() ? INCLUDE_USAGE : concat(INCLUDE_USAGE, new byte[] {','});
                    yield Optional.of(Edit.insert(options.valueStart() + 1, member));
                }
                JsonToken current = options.includeUsage().get();
                yield current == JsonToken.VALUE_TRUE ? Optional.empty()
                        : Optional.of(new Edit(options.includeUsageStart(), current == JsonToken.VALUE_FALSE ? 5 : 4, TRUE));
            }
        };
    }

    private static byte[] concat(byte[] one, byte[] other) {
        byte[] joined = Arrays.copyOf(one, one.length + other.length);
        System.arraycopy(other, 0, joined, one.length, other.length);
        return joined;
    }

    /** Replaces {@code removed} bytes at {@code offset} with {@code inserted}. */
    private record Edit(int offset, int removed, byte[] inserted) {
        static Edit insert(int offset, byte[] inserted) {
            return new Edit(offset, 0, inserted);
        }

        /** The bytes with every edit made; edits never overlap (each is at a distinct token). */
        static byte[] apply(byte[] bytes, List<Edit> edits) {
            if (edits.isEmpty()) {
                return bytes;
            }
            List<Edit> ordered = edits.stream().sorted(Comparator.comparingInt(Edit::offset)).toList();
            int length = bytes.length + ordered.stream().mapToInt(edit -> edit.inserted().length - edit.removed()).sum();
            byte[] edited = new byte[length];
            int from = 0;
            int to = 0;
            for (Edit edit : ordered) {
                System.arraycopy(bytes, from, edited, to, edit.offset() - from);
                to += edit.offset() - from;
                System.arraycopy(edit.inserted(), 0, edited, to, edit.inserted().length);
                to += edit.inserted().length;
                from = edit.offset() + edit.removed();
            }
            System.arraycopy(bytes, from, edited, to, bytes.length - from);
            return edited;
        }
    }
}
