package chowder.e2e;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An Anthropic-format model on loopback: {@code POST /v1/messages}, streamed (Anthropic's server-sent events) or not,
 * answering {@code anthropic says: <the last user text>} and reporting usage as Anthropic does (input in
 * {@code message_start}, output in {@code message_delta}): input a quarter of the body's characters, output a quarter
 * of the reply's, rounded up. It records each request's headers and body. Must be closed.
 */
final class ScriptedAnthropicModel implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    record Request(String path, Map<String, List<String>> headers, String body) {
        String header(String name) {
            return headers.entrySet().stream().filter(entry -> entry.getKey().equalsIgnoreCase(name))
                    .map(entry -> entry.getValue().getFirst()).findFirst().orElse(null);
        }
    }

    private final HttpServer server;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final AtomicLong reportedTokens = new AtomicLong();

    private ScriptedAnthropicModel() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
    }

    static ScriptedAnthropicModel start() {
        try {
            return new ScriptedAnthropicModel();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The base URL as Anthropic's SDK takes it (it adds {@code /v1/messages}). */
    URI baseUrl() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    List<Request> requests() {
        return List.copyOf(requests);
    }

    long reportedTokens() {
        return reportedTokens.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), UTF_8);
        requests.add(new Request(exchange.getRequestURI().getPath(), Map.copyOf(exchange.getRequestHeaders()), body));
        if (!exchange.getRequestMethod().equals("POST") || !exchange.getRequestURI().getPath().equals("/v1/messages")) {
            byte[] error = "{\"type\":\"error\",\"error\":{\"type\":\"not_found_error\",\"message\":\"no such path\"}}".getBytes(UTF_8);
            exchange.sendResponseHeaders(404, error.length);
            exchange.getResponseBody().write(error);
            exchange.close();
            return;
        }
        JsonNode request = JSON.readTree(body);
        String reply = "anthropic says: " + lastUserText(request);
        long input = (body.length() + 3) / 4;
        long output = (reply.length() + 3) / 4;
        reportedTokens.addAndGet(input + output);
        String model = request.path("model").asText();
        if (!request.path("stream").asBoolean(false)) {
            ObjectNode message = message(model, input, output);
            message.putArray("content").addObject().put("type", "text").put("text", reply);
            message.put("stop_reason", "end_turn");
            byte[] bytes = JSON.writeValueAsBytes(message);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
            return;
        }
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
        exchange.sendResponseHeaders(200, 0);
        OutputStream out = exchange.getResponseBody();
        ObjectNode start = JSON.createObjectNode().put("type", "message_start");
        start.set("message", message(model, input, 1).putNull("stop_reason").set("content", JSON.createArrayNode()));
        event(out, "message_start", start);
        ObjectNode blockStart = JSON.createObjectNode().put("type", "content_block_start").put("index", 0);
        blockStart.putObject("content_block").put("type", "text").put("text", "");
        event(out, "content_block_start", blockStart);
        ObjectNode delta = JSON.createObjectNode().put("type", "content_block_delta").put("index", 0);
        delta.putObject("delta").put("type", "text_delta").put("text", reply);
        event(out, "content_block_delta", delta);
        event(out, "content_block_stop", JSON.createObjectNode().put("type", "content_block_stop").put("index", 0));
        ObjectNode messageDelta = JSON.createObjectNode().put("type", "message_delta");
        messageDelta.putObject("delta").put("stop_reason", "end_turn").putNull("stop_sequence");
        messageDelta.putObject("usage").put("output_tokens", output);
        event(out, "message_delta", messageDelta);
        event(out, "message_stop", JSON.createObjectNode().put("type", "message_stop"));
        exchange.close();
    }

    private static ObjectNode message(String model, long input, long output) {
        ObjectNode message = JSON.createObjectNode().put("id", "msg_scripted").put("type", "message").put("role", "assistant")
                .put("model", model);
        message.putObject("usage").put("input_tokens", input).put("output_tokens", output);
        return message;
    }

    private static void event(OutputStream out, String name, ObjectNode data) throws IOException {
        out.write(("event: " + name + "\ndata: " + JSON.writeValueAsString(data) + "\n\n").getBytes(UTF_8));
        out.flush();
    }

    /** The last text a user wrote: OpenClaw adds blocks of its own context after it, which are skipped. */
    private static String lastUserText(JsonNode request) {
        String text = "";
        for (JsonNode message : request.path("messages")) {
            if (!message.path("role").asText().equals("user")) {
                continue;
            }
            JsonNode content = message.path("content");
            List<String> blocks = new java.util.ArrayList<>();
            if (content.isTextual()) {
                blocks.add(content.asText());
            } else {
                content.forEach(block -> blocks.add(block.path("text").asText("")));
            }
            for (String block : blocks) {
                if (!block.isBlank() && !block.strip().startsWith("<<<BEGIN_OPENCLAW")) {
                    text = block;
                }
            }
        }
        return text.strip();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
