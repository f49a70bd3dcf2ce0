package chowder.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * A stub OpenClaw gateway: a real HTTP server on loopback that serves {@code POST /v1/responses} the
 * way the real gateway was measured to, where it matters for Chowder. It checks the bearer token,
 * accepts only the model {@code openclaw}, and keeps a history per session key after normalising
 * the key like the gateway (Latin-1, trimmed, lower-cased; {@code agent:main:x} is {@code x};
 * {@code global} is shared; {@code subagent:}, {@code cron:}, {@code acp:} are refused), so a proxy
 * that forwards session ids verbatim visibly merges sessions. Its answer's text is
 * {@code turns=<n> first=<first input of the session> instructions=<this turn's instructions>}.
 */
public final class FakeOpenClawGateway implements AutoCloseable {
    private static final ObjectMapper JSON = OpenResponsesJson.JSON;
    // Room for a thousand connections opened at once (Chowder allows that many per gateway): a deep accept
    // backlog, and no closing of idle keep-alive connections beyond the JDK server's default of 200.
    private static final int BACKLOG = 2048;

    static {
        if (System.getProperty("sun.net.httpserver.maxIdleConnections") == null) {
            System.setProperty("sun.net.httpserver.maxIdleConnections", String.valueOf(BACKLOG));
        }
    }

    /** What the stub received, for assertions. */
    public record ReceivedRequest(Map<String, List<String>> headers, JsonNode body, String normalisedSession) {
        public Optional<String> header(String name) {
            return headers.entrySet().stream()
                    .filter(e -> e.getKey().equalsIgnoreCase(name))
                    .flatMap(e -> e.getValue().stream())
                    .findFirst();
        }
    }

    /** A canned failure answered instead of the normal reply. */
    public record Failure(int status, String body, Map<String, String> headers) {}

    /** The path and headers of any request the stub received, on any route (health probes and tool calls included). */
    public record ReceivedHeaders(String path, Map<String, List<String>> headers) {
        public Optional<String> header(String name) {
            return headers.entrySet().stream()
                    .filter(e -> e.getKey().equalsIgnoreCase(name))
                    .flatMap(e -> e.getValue().stream())
                    .findFirst();
        }
    }

    private final String token;
    private final HttpServer server;
    private final Map<String, List<String>> historyBySession = new ConcurrentHashMap<>();
    private final List<ReceivedRequest> received = new CopyOnWriteArrayList<>();
    private final List<JsonNode> toolCalls = new CopyOnWriteArrayList<>();
    private final List<ReceivedHeaders> allRequests = new CopyOnWriteArrayList<>();
    private final Map<String, String> extraAnswerHeaders = new ConcurrentHashMap<>();
    private volatile Failure failure;
    private volatile boolean ready = true;
    private volatile boolean gzipWhenAsked;

    private FakeOpenClawGateway(String token) throws IOException {
        this.token = token;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), BACKLOG);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/v1/responses", this::handleResponses);
        server.createContext("/tools/invoke", this::handleTools);
        server.createContext("/readyz", exchange -> {
            try (exchange) {
                record(exchange);
                if (ready) {
                    send(exchange, 200, "{\"ready\":true}", Map.of());
                } else {
                    send(exchange, 503, "{\"ready\":false}", Map.of());
                }
            }
        });
        server.start();
    }

    /** Starts a stub gateway on a free loopback port that accepts {@code token}. */
    public static FakeOpenClawGateway start(String token) {
        try {
            return new FakeOpenClawGateway(token);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public URI baseUrl() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    public String token() {
        return token;
    }

    public List<ReceivedRequest> received() {
        return List.copyOf(received);
    }

    public ReceivedRequest lastRequest() {
        return received.getLast();
    }

    /** Answers every following request with this failure, until {@link #recover()}. */
    public void failWith(int status, String body, Map<String, String> headers) {
        this.failure = new Failure(status, body, headers);
    }

    /** What {@code GET /readyz} answers: 200 when ready, else 503. */
    public void setReady(boolean ready) {
        this.ready = ready;
    }

    public void recover() {
        this.failure = null;
    }

    /** Adds this header to every following answer, on every route (e.g. a {@code Set-Cookie}). */
    public void answerEveryRequestWithHeader(String name, String value) {
        extraAnswerHeaders.put(name, value);
    }

    /** From now on, answers are gzip-compressed when, and only when, the request's {@code Accept-Encoding} allows gzip. */
    public void gzipWhenAsked() {
        this.gzipWhenAsked = true;
    }

    /** The path and headers of every request received so far, in order, on every route. */
    public List<ReceivedHeaders> allRequests() {
        return List.copyOf(allRequests);
    }

    /** The text of an answer of this stub, from the OpenResponses JSON. */
    public static String outputText(String responseJson) {
        try {
            return JSON.readTree(responseJson).path("output").path(0).path("content").path(0).path("text").asText();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void handleResponses(HttpExchange exchange) throws IOException {
        try (exchange) {
            record(exchange);
            if (!exchange.getRequestMethod().equals("POST")) {
                send(exchange, 405, OpenResponsesJson.error("Method Not Allowed", "invalid_request_error"), Map.of());
                return;
            }
            if (!("Bearer " + token).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                send(exchange, 401, OpenResponsesJson.error("Unauthorized", "unauthorized"), Map.of());
                return;
            }
            JsonNode body = JSON.readTree(exchange.getRequestBody());
            String rawKey = exchange.getRequestHeaders().getFirst("x-openclaw-session-key");
            String session = GatewaySessionKeys.normalise(rawKey);
            received.add(new ReceivedRequest(Map.copyOf(exchange.getRequestHeaders()), body, session));
            Failure canned = failure;
            if (canned != null) {
                send(exchange, canned.status(), canned.body(), canned.headers());
                return;
            }
            String model = body.path("model").asText("");
            if (!model.equals("openclaw") && !model.startsWith("openclaw/") && !model.startsWith("openclaw:")) {
                send(exchange, 400, OpenResponsesJson.error("Invalid model. Use openclaw or openclaw/<agentId>.", "invalid_request_error"), Map.of());
                return;
            }
            if (session.startsWith("refused:")) {
                send(exchange, 400, OpenResponsesJson.error("Invalid session key.", "invalid_request_error"), Map.of());
                return;
            }
            if (session.startsWith("unknown-agent:")) {
                send(exchange, 500, "{\"code\":\"api_error\",\"message\":\"internal error\"}", Map.of());
                return;
            }
            List<String> history = historyBySession.computeIfAbsent(session, k -> new CopyOnWriteArrayList<>());
            history.add(OpenResponsesJson.inputText(body.path("input")));
            String text = "turns=" + history.size() + " first=" + history.getFirst()
                    + " instructions=" + body.path("instructions").asText("-");
            send(exchange, 200, OpenResponsesJson.reply(text), Map.of());
        }
    }

    /** {@code sessions_list} and {@code sessions} reset/delete, in the shapes measured against OpenClaw 2026.9.6. */
    private void handleTools(HttpExchange exchange) throws IOException {
        try (exchange) {
            record(exchange);
            if (!("Bearer " + token).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                send(exchange, 401, OpenResponsesJson.error("Unauthorized", "unauthorized"), Map.of());
                return;
            }
            JsonNode call = JSON.readTree(exchange.getRequestBody());
            toolCalls.add(call);
            ObjectNode answer = JSON.createObjectNode().put("ok", true);
            String tool = call.path("tool").asText();
            JsonNode args = call.path("args");
            if (tool.equals("sessions_list")) {
                var sessions = answer.putObject("result").putObject("details").putArray("sessions");
                historyBySession.keySet().forEach(key -> sessions.addObject().put("key", key).put("sessionId", GatewaySessionKeys.sessionIdOf(key)));
            } else if (tool.equals("sessions") && args.path("action").asText().equals("delete")) {
                String key = args.path("sessionKey").asText();
                if (!args.path("expectedSessionId").asText().equals(GatewaySessionKeys.sessionIdOf(key))) {
                    send(exchange, 500, "{\"error\":\"tool execution failed\"}", Map.of());
                    return;
                }
                answer.putObject("result").putObject("details").put("deleted", historyBySession.remove(key) != null);
            } else if (tool.equals("sessions") && args.path("action").asText().equals("reset")) {
                historyBySession.remove(args.path("sessionKey").asText());
                answer.putObject("result");
            } else {
                send(exchange, 404, OpenResponsesJson.error("Tool not available", "not_found"), Map.of());
                return;
            }
            send(exchange, 200, answer.toString(), Map.of());
        }
    }

    /** The tool calls received, for assertions. */
    public List<JsonNode> toolCalls() {
        return List.copyOf(toolCalls);
    }

    /** Whether the gateway holds a history for the session key (as the gateway names it: agent:main:...). */
    public boolean hasSession(String fullKey) {
        return historyBySession.containsKey(fullKey);
    }

    private void record(HttpExchange exchange) {
        allRequests.add(new ReceivedHeaders(exchange.getRequestURI().getPath(), Map.copyOf(exchange.getRequestHeaders())));
    }

    private void send(HttpExchange exchange, int status, String body, Map<String, String> headers) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        extraAnswerHeaders.forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
        headers.forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
        String acceptEncoding = Optional.ofNullable(exchange.getRequestHeaders().getFirst("Accept-Encoding")).orElse("");
        if (gzipWhenAsked && bytes.length > 0 && acceptEncoding.toLowerCase(Locale.ROOT).contains("gzip")) {
            bytes = Gzip.compress(bytes);
            exchange.getResponseHeaders().set("Content-Encoding", "gzip");
        }
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        exchange.getResponseBody().write(bytes);
    }
}
