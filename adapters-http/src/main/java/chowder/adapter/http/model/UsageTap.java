package chowder.adapter.http.model;

import chowder.domain.ModelApi;
import chowder.domain.ModelTokens;
import com.fasterxml.jackson.core.JsonFactory;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the token usage a provider reports from its 2xx answer as the bytes go by, without holding them up or keeping
 * them: the relay copies each chunk to the gateway and hands this tap a view of it. A JSON answer is one
 * {@link UsageDocument}; a stream is cut into lines, and each {@code data:} line is one (other lines are skipped as they
 * pass). Memory does not grow with the answer: no answer is too large to meter.
 *
 * <ul>
 *   <li>OpenAI chat completions: {@code usage.prompt_tokens}, {@code completion_tokens},
 *       {@code prompt_tokens_details.cached_tokens} (a stream's last chunk, which Chowder always asks for);
 *   <li>OpenAI responses: {@code usage} of the answer or of the {@code response.completed} event's {@code response}
 *       ({@code input_tokens}, {@code output_tokens}, {@code input_tokens_details.cached_tokens});
 *   <li>Anthropic messages: {@code usage} of the answer, of {@code message_start}'s {@code message} and of each
 *       {@code message_delta} (cumulative); its {@code input_tokens} leaves out cache reads and writes, which are added.
 * </ul>
 *
 * Used by one relay at a time (Jetty delivers an answer's chunks one after another).
 */
final class UsageTap {
    private static final byte[] DATA = {'d', 'a', 't', 'a', ':'};

    private final ModelApi api;
    private final boolean stream;
    private final JsonFactory json;
    private final UsageDocument answer;
    private final byte[] lineStart = new byte[DATA.length];
    private int lineStartLength;
    private UsageDocument event;
    private boolean skippingLine;
    private long answerBytes;
    private long input;
    private long output;
    private long cached;
    private boolean reported;

    UsageTap(ModelApi api, boolean stream, JsonFactory json) {
        this.api = api;
        this.stream = stream;
        this.json = json;
        this.answer = stream ? null : new UsageDocument(json);
    }

    /** Reads a chunk of the answer (its position is left alone). */
    void accept(ByteBuffer chunk) {
        ByteBuffer view = chunk.slice();
        answerBytes += view.remaining();
        if (!stream) {
            answer.feed(view);
            return;
        }
        while (view.hasRemaining()) {
            int newline = indexOfNewline(view);
            int end = newline < 0 ? view.limit() : newline;
            line(view.duplicate().limit(end));
            view.position(newline < 0 ? view.limit() : newline + 1);
            if (newline >= 0) {
                endOfLine();
            }
        }
    }

    /** The bytes of the answer read so far. */
    long answerBytes() {
        return answerBytes;
    }

    /** The usage reported, once the answer ended; empty when the provider reported none. */
    Optional<ModelTokens> finish() {
        if (stream) {
            endOfLine();
        } else {
            add(answer.end());
        }
        return reported ? Optional.of(ModelTokens.reported(input, output, cached)) : Optional.empty();
    }

    /** Part of one line: its first bytes tell whether it is a {@code data:} line; the rest of one goes to its document. */
    private void line(ByteBuffer part) {
        while (event == null && !skippingLine && part.hasRemaining()) {
            lineStart[lineStartLength++] = part.get();
            if (lineStartLength == DATA.length) {
                if (Arrays.equals(lineStart, DATA)) {
                    event = new UsageDocument(json);
                } else {
                    skippingLine = true;
                }
            }
        }
        if (event != null) {
            event.feed(part);
        }
    }

    private void endOfLine() {
        if (event != null) {
            add(event.end());
        }
        event = null;
        skippingLine = false;
        lineStartLength = 0;
    }

    private void add(Map<String, Long> usage) {
        switch (api) {
            case OPENAI_COMPLETIONS -> replace(usage, "prompt_tokens", "completion_tokens", "prompt_tokens_details.cached_tokens");
            case OPENAI_RESPONSES -> replace(usage, "input_tokens", "output_tokens", "input_tokens_details.cached_tokens");
            case ANTHROPIC_MESSAGES -> anthropic(usage);
        }
    }

    /** OpenAI reports a call's usage whole, once (a later report replaces an earlier one). */
    private void replace(Map<String, Long> usage, String inputField, String outputField, String cachedField) {
        if (usage.containsKey(inputField)) {
            input = usage.get(inputField);
            output = usage.getOrDefault(outputField, 0L);
            cached = usage.getOrDefault(cachedField, 0L);
            reported = true;
        }
    }

    /** Anthropic reports input once (message_start) and output cumulatively (each message_delta): keep the largest. */
    private void anthropic(Map<String, Long> usage) {
        long cacheRead = Math.max(0, usage.getOrDefault("cache_read_input_tokens", 0L));
        long cacheWrite = Math.max(0, usage.getOrDefault("cache_creation_input_tokens", 0L));
        if (usage.containsKey("input_tokens")) {
            input = Math.max(input, saturatedSum(Math.max(0, usage.get("input_tokens")), cacheRead, cacheWrite));
            cached = Math.max(cached, cacheRead);
            reported = true;
        }
        if (usage.containsKey("output_tokens")) {
            output = Math.max(output, usage.get("output_tokens"));
            reported = true;
        }
    }

    private static long saturatedSum(long... values) {
        long sum = 0;
        for (long value : values) {
            sum = value > Long.MAX_VALUE - sum ? Long.MAX_VALUE : sum + value;
        }
        return sum;
    }

    private static int indexOfNewline(ByteBuffer view) {
        for (int i = view.position(); i < view.limit(); i++) {
            if (view.get(i) == '\n') {
                return i;
            }
        }
        return -1;
    }
}
