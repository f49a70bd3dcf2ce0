package chowder.e2e;

import static chowder.e2e.ChatCompletionWire.chunk;
import static chowder.e2e.ChatCompletionWire.completion;
import static chowder.e2e.ChatCompletionWire.endStream;
import static chowder.e2e.ChatCompletionWire.errorBody;
import static chowder.e2e.ChatCompletionWire.execCall;
import static chowder.e2e.ChatCompletionWire.execCompletion;
import static chowder.e2e.ChatCompletionWire.openStream;
import static chowder.e2e.ChatCompletionWire.send;
import static chowder.e2e.ChatCompletionWire.split;
import static chowder.e2e.ChatCompletionWire.usage;
import static chowder.e2e.ChatCompletionWire.writeEvent;
import static java.nio.charset.StandardCharsets.UTF_8;

import chowder.e2e.RecordedModelRequest.Outcome;
import com.fasterxml.jackson.core.JsonProcessingException;
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
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An OpenAI-compatible model on loopback that serves {@code POST /v1/chat/completions}, streamed (SSE
 * chunks, then {@code data: [DONE]}) or not, and answers with a {@link ScriptedReply} describing what it
 * received; words in the last client text script delays, slow streams and failures (see
 * {@link ModelScript}). It records every request, is safe for concurrent use, and must be closed.
 *
 * <p>Usage is reported as {@code prompt_tokens} = a quarter of the request body's characters and
 * {@code completion_tokens} = a quarter of the reply's characters, both rounded up.
 */
public final class ScriptedModelServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CHAT_COMPLETIONS = "/v1/chat/completions";
    /**
     * How the answer to a tool's output begins: the output follows, exactly as the gateway passed it to the model.
     * (OpenClaw drops a first line such as {@code tool-result:} from an answer, so the marker is not one.)
     */
    public static final String TOOL_RESULT = "<<tool-output>>\n";

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final AtomicInteger received = new AtomicInteger();
    private final AtomicLong reportedTokens = new AtomicLong();
    private final List<RecordedModelRequest> requests = new CopyOnWriteArrayList<>();

    private ScriptedModelServer(InetAddress address) throws IOException {
        server = HttpServer.create(new InetSocketAddress(address, 0), 0);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Starts a server on a free loopback port. */
    public static ScriptedModelServer start() {
        return startOn(InetAddress.getLoopbackAddress());
    }

    /** Starts a server on a free port of {@code address}: a model on another host, as far as a sandbox can tell. */
    public static ScriptedModelServer startOn(InetAddress address) {
        try {
            return new ScriptedModelServer(address);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The OpenAI base URL, ending in {@code /v1}, as an OpenClaw provider's {@code baseUrl} expects. */
    public URI baseUrl() {
        InetAddress address = server.getAddress().getAddress();
        String host = address.isLoopbackAddress() ? "127.0.0.1" : address.getHostAddress();
        return URI.create("http://" + host + ":" + server.getAddress().getPort() + "/v1");
    }

    public int requestCount() {
        return received.get();
    }

    /** The tokens (prompt and completion) this server reported in the usage of its answers so far. */
    public long reportedTokens() {
        return reportedTokens.get();
    }

    /** The requests received so far, oldest first. */
    public List<RecordedModelRequest> requests() {
        return List.copyOf(requests);
    }

    /** Waits until request {@code number} (from 1) has arrived; throws {@link AssertionError} on timeout. */
    public RecordedModelRequest awaitRequest(int number, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (requests.size() < number) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("model request " + number + " did not arrive within " + timeout
                        + "; " + requests.size() + " arrived");
            }
            pause(10);
        }
        return requests.get(number - 1);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), UTF_8);
        JsonNode json = parseOrNull(body);
        boolean chat = exchange.getRequestMethod().equals("POST")
                && exchange.getRequestURI().getPath().equals(CHAT_COMPLETIONS)
                && json != null;
        RecordedModelRequest request = new RecordedModelRequest(
                received.incrementAndGet(),
                Instant.now(),
                exchange.getRequestMethod(),
                exchange.getRequestURI().getPath(),
                exchange.getRequestHeaders(),
                body,
                ModelConversation.from(chat ? json : JSON.createObjectNode()),
                new CompletableFuture<>());
        requests.add(request);
        try {
            request.outcome().complete(chat ? answer(exchange, request, json) : reject(exchange));
        } catch (IOException e) {
            request.outcome().complete(Outcome.CALLER_DISCONNECTED);
            throw e;
        } catch (ConnectionCut e) {
            request.outcome().complete(Outcome.FAILED_AS_SCRIPTED);
            // An exception escaping the handler makes the JDK server close the socket without the
            // terminating chunk, so the caller sees a broken stream rather than a short one.
            throw e;
        } catch (InterruptedException e) {
            request.outcome().complete(Outcome.SERVER_CLOSED);
            exchange.close();
        }
    }

    private Outcome answer(HttpExchange exchange, RecordedModelRequest request, JsonNode json)
            throws IOException, InterruptedException {
        ModelConversation conversation = request.conversation();
        ModelScript script = ModelScript.from(conversation.lastUserText());
        Thread.sleep(script.waitMillis());
        if (script.failStatus() > 0) {
            send(exchange, script.failStatus(), "application/json", errorBody(script.failStatus()));
            return Outcome.FAILED_AS_SCRIPTED;
        }
        if (conversation.toolResult().isPresent()) {
            return reply(exchange, request, json, TOOL_RESULT + conversation.toolResult().get(), script);
        }
        if (script.execCommand().isPresent()) {
            return callExec(exchange, request, script.execCommand().get(), json.path("stream_options").path("include_usage").asBoolean(false));
        }
        String text = new ScriptedReply(
                        conversation.turns(),
                        conversation.firstUserText(),
                        conversation.lastUserText(),
                        conversation.sessionKey().orElse(""),
                        request.number(),
                        script.systemMarker().map(conversation.systemPrompt()::contains))
                .format();
        return reply(exchange, request, json, text, script);
    }

    private Outcome reply(HttpExchange exchange, RecordedModelRequest request, JsonNode json, String text, ModelScript script)
            throws IOException, InterruptedException {
        ModelConversation conversation = request.conversation();
        ObjectNode usage = usage(request.body(), text);
        if (!conversation.stream()) {
            reportedTokens.addAndGet(usage.path("total_tokens").asLong());
            send(exchange, 200, "application/json", completion(request.number(), conversation.model(), text, usage));
            return Outcome.COMPLETED;
        }
        return stream(exchange, request.number(), conversation.model(), text, usage, script,
                json.path("stream_options").path("include_usage").asBoolean(false));
    }

    private Outcome stream(
            HttpExchange exchange, int number, String model, String text, ObjectNode usage, ModelScript script,
            boolean includeUsage) throws IOException, InterruptedException {
        OutputStream out = openStream(exchange);
        String id = "chatcmpl-scripted-" + number;
        writeEvent(out, chunk(id, model, JSON.createObjectNode().put("role", "assistant").put("content", ""), null));
        List<String> pieces = split(text, script.chunks());
        int cutAfter = (pieces.size() + 1) / 2;
        for (int i = 0; i < pieces.size(); i++) {
            if (i > 0) {
                Thread.sleep(script.gapMillis());
            }
            if (script.failMidstream() && i == cutAfter) {
                throw new ConnectionCut();
            }
            writeEvent(out, chunk(id, model, JSON.createObjectNode().put("content", pieces.get(i)), null));
        }
        writeEvent(out, chunk(id, model, JSON.createObjectNode(), "stop"));
        if (includeUsage) {
            reportedTokens.addAndGet(usage.path("total_tokens").asLong());
            ObjectNode usageChunk = chunk(id, model, null, null).set("usage", usage);
            writeEvent(out, usageChunk);
        }
        endStream(exchange, out);
        return Outcome.COMPLETED;
    }

    /** Answers with one call of OpenClaw's {@code exec} tool, as an OpenAI model calls a function, with its usage. */
    private Outcome callExec(HttpExchange exchange, RecordedModelRequest request, String command, boolean includeUsage) throws IOException {
        int number = request.number();
        ModelConversation conversation = request.conversation();
        ObjectNode usage = usage(request.body(), command);
        ObjectNode call = execCall(number, command);
        String id = "chatcmpl-scripted-" + number;
        if (!conversation.stream()) {
            reportedTokens.addAndGet(usage.path("total_tokens").asLong());
            send(exchange, 200, "application/json", execCompletion(id, conversation.model(), call, usage));
            return Outcome.COMPLETED;
        }
        // Without Cache-Control, unlike a text stream: the tool call's stream is written as it always was.
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        exchange.sendResponseHeaders(200, 0);
        OutputStream out = exchange.getResponseBody();
        ObjectNode delta = JSON.createObjectNode().put("role", "assistant");
        delta.putArray("tool_calls").add(call);
        writeEvent(out, chunk(id, conversation.model(), delta, null));
        writeEvent(out, chunk(id, conversation.model(), JSON.createObjectNode(), "tool_calls"));
        if (includeUsage) {
            reportedTokens.addAndGet(usage.path("total_tokens").asLong());
            writeEvent(out, chunk(id, conversation.model(), null, null).set("usage", usage));
        }
        endStream(exchange, out);
        return Outcome.COMPLETED;
    }

    private static Outcome reject(HttpExchange exchange) throws IOException {
        send(exchange, 404, "application/json", errorBody(404));
        return Outcome.REJECTED;
    }

    private static JsonNode parseOrNull(String body) {
        try {
            JsonNode node = JSON.readTree(body);
            return node != null && node.isObject() ? node : null;
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Thrown to make the server drop a connection in the middle of a stream. */
    private static final class ConnectionCut extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ConnectionCut() {
            super("scripted fail-midstream", null, false, false);
        }
    }
}
