package chowder.e2e;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The OpenAI chat-completions wire format as {@link ScriptedModelServer} writes it: completions, stream chunks, a call
 * of OpenClaw's {@code exec} tool, usage and error bodies, and the HTTP answers that carry them.
 */
final class ChatCompletionWire {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ChatCompletionWire() {}

    /** Splits by code points into exactly {@code count} non-empty pieces, padding the text when it is too short. */
    static List<String> split(String text, int count) {
        String padded = text;
        if (text.codePointCount(0, text.length()) < count) {
            padded = text + "\npad=" + ".".repeat(count);
        }
        int codePoints = padded.codePointCount(0, padded.length());
        List<String> pieces = new ArrayList<>(count);
        int start = 0;
        for (int i = 1; i <= count; i++) {
            int end = padded.offsetByCodePoints(0, (int) ((long) codePoints * i / count));
            pieces.add(padded.substring(start, end));
            start = end;
        }
        return pieces;
    }

    static ObjectNode chunk(String id, String model, ObjectNode delta, String finishReason) {
        ObjectNode chunk = JSON.createObjectNode()
                .put("id", id)
                .put("object", "chat.completion.chunk")
                .put("created", Instant.now().getEpochSecond())
                .put("model", model);
        if (delta == null) {
            chunk.putArray("choices");
            return chunk;
        }
        ObjectNode choice = chunk.putArray("choices").addObject().put("index", 0);
        choice.set("delta", delta);
        if (finishReason == null) {
            choice.putNull("finish_reason");
        } else {
            choice.put("finish_reason", finishReason);
        }
        return chunk;
    }

    static String completion(int number, String model, String text, ObjectNode usage) throws IOException {
        ObjectNode completion = JSON.createObjectNode()
                .put("id", "chatcmpl-scripted-" + number)
                .put("object", "chat.completion")
                .put("created", Instant.now().getEpochSecond())
                .put("model", model);
        ObjectNode choice = completion.putArray("choices").addObject().put("index", 0);
        choice.putObject("message").put("role", "assistant").put("content", text);
        choice.put("finish_reason", "stop");
        completion.set("usage", usage);
        return JSON.writeValueAsString(completion);
    }

    static ObjectNode usage(String requestBody, String reply) {
        int prompt = (requestBody.length() + 3) / 4;
        int completion = (reply.length() + 3) / 4;
        return JSON.createObjectNode()
                .put("prompt_tokens", prompt)
                .put("completion_tokens", completion)
                .put("total_tokens", prompt + completion);
    }

    static String errorBody(int status) {
        return "{\"error\":{\"message\":\"scripted failure with status " + status
                + "\",\"type\":\"scripted_error\",\"code\":\"scripted_" + status + "\"}}";
    }

    static void writeEvent(OutputStream out, ObjectNode data) throws IOException {
        out.write(("data: " + JSON.writeValueAsString(data) + "\n\n").getBytes(UTF_8));
        out.flush();
    }

    static void send(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** One call of OpenClaw's {@code exec} tool, as an OpenAI model calls a function (with the index a stream chunk needs). */
    static ObjectNode execCall(int number, String command) {
        ObjectNode call = JSON.createObjectNode().put("index", 0).put("id", "call_scripted_" + number).put("type", "function");
        call.putObject("function").put("name", "exec").put("arguments", JSON.createObjectNode().put("command", command).toString());
        return call;
    }

    /** A whole (not streamed) completion whose one choice is {@code call}. */
    static String execCompletion(String id, String model, ObjectNode call, ObjectNode usage) throws IOException {
        ObjectNode completion = JSON.createObjectNode().put("id", id).put("object", "chat.completion")
                .put("created", Instant.now().getEpochSecond()).put("model", model);
        ObjectNode choice = completion.putArray("choices").addObject().put("index", 0).put("finish_reason", "tool_calls");
        ObjectNode message = choice.putObject("message").put("role", "assistant").putNull("content");
        message.putArray("tool_calls").add(call.deepCopy().without("index"));
        completion.set("usage", usage);
        return JSON.writeValueAsString(completion);
    }

    /** Opens a stream of server-sent events: the status and headers, before any event. */
    static OutputStream openStream(HttpExchange exchange) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        exchange.sendResponseHeaders(200, 0);
        return exchange.getResponseBody();
    }

    /** Ends a stream with {@code data: [DONE]} and closes the exchange. */
    static void endStream(HttpExchange exchange, OutputStream out) throws IOException {
        out.write("data: [DONE]\n\n".getBytes(UTF_8));
        out.flush();
        exchange.close();
    }
}
