package chowder.adapter.http.model;

import chowder.domain.ModelApi;
import chowder.domain.ModelTokens;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Reads the token usage a provider reports from its answer as the bytes go by, without holding them up: the relay
 * copies each chunk to the gateway and hands this tap a view of it. A stream is cut into lines and only {@code data:}
 * lines that mention {@code "usage"} are parsed; a JSON answer is kept (up to {@code maxBytes}) and parsed at its end.
 * A line or answer larger than {@code maxBytes} is skipped: its usage is then unknown (counted as no tokens).
 *
 * <ul>
 *   <li>OpenAI chat completions: {@code usage.prompt_tokens}, {@code completion_tokens},
 *       {@code prompt_tokens_details.cached_tokens} (a stream's last chunk, which Chowder always asks for);
 *   <li>OpenAI responses: {@code usage} of the answer or of the {@code response.completed} event's {@code response}
 *       ({@code input_tokens}, {@code output_tokens}, {@code input_tokens_details.cached_tokens});
 *   <li>Anthropic messages: {@code usage} of the answer, of {@code message_start}'s {@code message} and of each
 *       {@code message_delta} (cumulative); its {@code input_tokens} leaves out cache reads and writes, which are added.
 * </ul>
 */
final class UsageTap {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] USAGE = "\"usage\"".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private final ModelApi api;
    private final boolean stream;
    private final int maxBytes;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    private boolean overflowed;
    private long input;
    private long output;
    private long cached;
    private boolean reported;

    UsageTap(ModelApi api, boolean stream, int maxBytes) {
        this.api = api;
        this.stream = stream;
        this.maxBytes = maxBytes;
    }

    /** Reads a chunk of the answer (its position is left alone). */
    void accept(ByteBuffer chunk) {
        ByteBuffer view = chunk.slice();
        if (!stream) {
            append(view, view.remaining());
            return;
        }
        while (view.hasRemaining()) {
            int newline = -1;
            for (int i = view.position(); i < view.limit(); i++) {
                if (view.get(i) == '\n') {
                    newline = i;
                    break;
                }
            }
            if (newline < 0) {
                append(view, view.remaining());
                return;
            }
            append(view, newline - view.position());
            view.get();
            endOfLine();
        }
    }

    /** The usage reported, once the answer ended ({@link ModelTokens#NONE} when none was). */
    ModelTokens finish() {
        if (stream) {
            endOfLine();
        } else if (!overflowed && pending.size() > 0) {
            read(pending.toByteArray(), 0);
        }
        return reported ? new ModelTokens(input, output, Math.min(cached, input)) : ModelTokens.NONE;
    }

    private void append(ByteBuffer view, int length) {
        if (overflowed || pending.size() + length > maxBytes) {
            overflowed = true;
            view.position(view.position() + length);
            return;
        }
        byte[] bytes = new byte[length];
        view.get(bytes);
        pending.writeBytes(bytes);
    }

    private void endOfLine() {
        byte[] line = pending.toByteArray();
        boolean skipped = overflowed;
        pending.reset();
        overflowed = false;
        if (skipped || line.length < 6 || !startsWithData(line) || indexOf(line, USAGE) < 0) {
            return;
        }
        read(line, 5);
    }

    private void read(byte[] bytes, int offset) {
        JsonNode root;
        try {
            root = JSON.readTree(bytes, offset, bytes.length - offset);
        } catch (IOException e) {
            return;
        }
        if (root == null) {
            return;
        }
        switch (api) {
            case OPENAI_COMPLETIONS -> openAiCompletions(root.path("usage"));
            case OPENAI_RESPONSES -> openAiResponses(root.has("response") ? root.path("response").path("usage") : root.path("usage"));
            case ANTHROPIC_MESSAGES -> anthropic(root.has("message") ? root.path("message").path("usage") : root.path("usage"));
        }
    }

    private void openAiCompletions(JsonNode usage) {
        if (usage.path("prompt_tokens").canConvertToLong()) {
            input = usage.path("prompt_tokens").asLong();
            output = usage.path("completion_tokens").asLong();
            cached = usage.path("prompt_tokens_details").path("cached_tokens").asLong();
            reported = true;
        }
    }

    private void openAiResponses(JsonNode usage) {
        if (usage.path("input_tokens").canConvertToLong()) {
            input = usage.path("input_tokens").asLong();
            output = usage.path("output_tokens").asLong();
            cached = usage.path("input_tokens_details").path("cached_tokens").asLong();
            reported = true;
        }
    }

    /** Anthropic reports input once (message_start) and output cumulatively (each message_delta): keep the largest. */
    private void anthropic(JsonNode usage) {
        if (!usage.isObject()) {
            return;
        }
        long cacheRead = usage.path("cache_read_input_tokens").asLong();
        long cacheWrite = usage.path("cache_creation_input_tokens").asLong();
        if (usage.path("input_tokens").canConvertToLong()) {
            input = Math.max(input, usage.path("input_tokens").asLong() + cacheRead + cacheWrite);
            cached = Math.max(cached, cacheRead);
            reported = true;
        }
        if (usage.path("output_tokens").canConvertToLong()) {
            output = Math.max(output, usage.path("output_tokens").asLong());
            reported = true;
        }
    }

    private static boolean startsWithData(byte[] line) {
        return line[0] == 'd' && line[1] == 'a' && line[2] == 't' && line[3] == 'a' && line[4] == ':';
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
