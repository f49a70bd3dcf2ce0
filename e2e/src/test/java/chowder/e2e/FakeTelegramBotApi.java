package chowder.e2e;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Telegram Bot API on loopback, for one bot: OpenClaw's Telegram channel is pointed at it ({@code apiRoot}) and
 * talks to it as to {@code api.telegram.org}: {@code getMe}, {@code getUpdates} (long polling), {@code sendMessage},
 * {@code sendChatAction}, and the command and webhook housekeeping. A test plays people writing to the bot
 * ({@link #receive}) and reads what the bot sent them ({@link #messagesTo}). Every call is recorded; a wrong token is
 * answered as Telegram does (401).
 *
 * <p>A long poll is held at most {@link #LONG_POLL} whatever timeout the client asks (an earlier empty answer is
 * allowed by the Bot API), so a channel that stops polling is seen within seconds.
 */
public final class FakeTelegramBotApi implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration LONG_POLL = Duration.ofSeconds(2);
    private static final Pattern PATH = Pattern.compile("/bot([^/]+)/([A-Za-z]+)");
    private static final long BOT_ID = 7_000_000_001L;

    /** One call of the bot's: its method and parameters, and when it came. */
    public record Call(String method, JsonNode parameters, Instant at) {}

    /** What the bot sent to a chat. */
    public record SentMessage(long chatId, String text) {}

    private final String token;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final List<ObjectNode> updates = new ArrayList<>();
    private final AtomicInteger pollsInFlight = new AtomicInteger();
    private volatile Instant lastPollAnswered = Instant.EPOCH;
    private long nextUpdateId = 100;
    private long nextMessageId = 1;

    private FakeTelegramBotApi(String token) throws IOException {
        this.token = token;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** A Bot API for the bot with this token, on a free loopback port. */
    public static FakeTelegramBotApi start(String token) {
        try {
            return new FakeTelegramBotApi(token);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The API root, as OpenClaw's {@code channels.telegram.apiRoot} takes it. */
    public URI root() {
        return URI.create("http://127.0.0.1:" + port());
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** A person (user id {@code userId}, in their private chat with the bot) writes {@code text} to the bot. */
    public synchronized void receive(long userId, String firstName, String text) {
        ObjectNode update = JSON.createObjectNode().put("update_id", nextUpdateId++);
        ObjectNode message = update.putObject("message").put("message_id", nextMessageId++).put("date", Instant.now().getEpochSecond())
                .put("text", text);
        message.putObject("from").put("id", userId).put("is_bot", false).put("first_name", firstName).put("language_code", "en");
        message.putObject("chat").put("id", userId).put("type", "private").put("first_name", firstName);
        updates.add(update);
        notifyAll();
    }

    /** Updates not yet fetched by the bot (a fetch with a higher offset confirms the earlier ones). */
    public synchronized int pendingUpdates() {
        return updates.size();
    }

    public List<Call> calls() {
        return List.copyOf(calls);
    }

    public List<Call> calls(String method) {
        return calls.stream().filter(call -> call.method().equals(method)).toList();
    }

    /** The texts the bot sent (or edited into a message) to a chat, oldest first. */
    public List<String> messagesTo(long chatId) {
        return calls.stream()
                .filter(call -> call.method().equals("sendMessage") || call.method().equals("editMessageText"))
                .filter(call -> call.parameters().path("chat_id").asLong() == chatId)
                .map(call -> call.parameters().path("text").asText())
                .toList();
    }

    /** Waits for a message to a chat that matches, and returns it. */
    public String awaitMessageTo(long chatId, Predicate<String> matching, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            Optional<String> found = messagesTo(chatId).stream().filter(matching).findFirst();
            if (found.isPresent()) {
                return found.get();
            }
            SupervisedProcess.sleep(Duration.ofMillis(200));
        }
        throw new AssertionError("No matching message to chat " + chatId + " within " + timeout + "; the bot sent it " + messagesTo(chatId)
                + "; calls: " + calls.stream().map(Call::method).distinct().toList());
    }

    /** Waits until the bot polls for updates (again). */
    public void awaitPolling(Duration timeout) {
        Instant since = Instant.now();
        Instant deadline = since.plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (calls("getUpdates").stream().anyMatch(call -> call.at().isAfter(since))) {
                return;
            }
            SupervisedProcess.sleep(Duration.ofMillis(200));
        }
        throw new AssertionError("The bot did not poll for updates within " + timeout + "; calls: "
                + calls.stream().map(Call::method).distinct().toList());
    }

    /**
     * Waits until the bot has stopped polling: no {@code getUpdates} is being answered, and none came or was answered for
     * {@code quiet}. A poll held when the channel stopped counts until its answer is written, however late a loaded
     * machine writes it, so a message received afterwards cannot go out in it.
     */
    public void awaitNoPolling(Duration quiet, Duration timeout) {
        Instant since = Instant.now();
        Instant deadline = since.plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            Instant lastCame = lastPoll().orElse(Instant.EPOCH);
            Instant lastActive = lastCame.isAfter(lastPollAnswered) ? lastCame : lastPollAnswered;
            if (pollsInFlight.get() == 0 && Duration.between(lastActive, Instant.now()).compareTo(quiet) > 0) {
                return;
            }
            SupervisedProcess.sleep(Duration.ofMillis(500));
        }
        long polls = calls("getUpdates").stream().filter(call -> call.at().isAfter(since)).count();
        throw new AssertionError("The bot kept polling for updates for " + timeout + ": " + polls + " getUpdates meanwhile, the last at "
                + lastPoll().map(Instant::toString).orElse("none"));
    }

    /** When the bot last asked for updates. */
    public Optional<Instant> lastPoll() {
        return calls("getUpdates").stream().map(Call::at).max(Instant::compareTo);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Matcher path = PATH.matcher(exchange.getRequestURI().getPath());
            if (!path.matches()) {
                answer(exchange, 404, JSON.createObjectNode().put("ok", false).put("error_code", 404).put("description", "Not Found"));
                return;
            }
            JsonNode parameters = parameters(exchange);
            String method = path.group(2);
            boolean poll = method.equals("getUpdates");
            if (poll) {
                pollsInFlight.incrementAndGet();
            }
            try {
                calls.add(new Call(method, parameters, Instant.now()));
                respond(exchange, path.group(1), method, parameters);
            } finally {
                if (poll) {
                    lastPollAnswered = Instant.now();
                    pollsInFlight.decrementAndGet();
                }
            }
        }
    }

    private void respond(HttpExchange exchange, String tokenUsed, String method, JsonNode parameters) throws IOException {
        if (!tokenUsed.equals(token)) {
            answer(exchange, 401, JSON.createObjectNode().put("ok", false).put("error_code", 401).put("description", "Unauthorized"));
            return;
        }
        ObjectNode answer = JSON.createObjectNode().put("ok", true);
        switch (method) {
            case "getMe" -> answer.putObject("result").put("id", BOT_ID).put("is_bot", true).put("first_name", "Chowder Test Bot")
                    .put("username", "chowder_test_bot").put("can_join_groups", true).put("can_read_all_group_messages", false)
                    .put("supports_inline_queries", false);
            case "getUpdates" -> answer.set("result", updates(parameters.path("offset").asLong(0)));
            case "sendMessage", "editMessageText" -> answer.set("result", sentMessage(parameters));
            default -> answer.put("result", true);
        }
        answer(exchange, 200, answer);
    }

    /** Confirms the updates below {@code offset}, then answers those left, waiting a little for one when there are none. */
    private synchronized ArrayNode updates(long offset) {
        updates.removeIf(update -> update.path("update_id").asLong() < offset);
        long deadline = System.nanoTime() + LONG_POLL.toNanos();
        while (updates.isEmpty() && System.nanoTime() < deadline) {
            try {
                wait(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        ArrayNode result = JSON.createArrayNode();
        updates.forEach(result::add);
        return result;
    }

    private synchronized ObjectNode sentMessage(JsonNode parameters) {
        ObjectNode message = JSON.createObjectNode().put("message_id", parameters.path("message_id").asLong(nextMessageId++))
                .put("date", Instant.now().getEpochSecond()).put("text", parameters.path("text").asText());
        message.putObject("from").put("id", BOT_ID).put("is_bot", true).put("first_name", "Chowder Test Bot").put("username", "chowder_test_bot");
        message.putObject("chat").put("id", parameters.path("chat_id").asLong()).put("type", "private");
        return message;
    }

    /** The call's parameters: a JSON body, a form, or the query string, as the Bot API accepts them all. */
    private static JsonNode parameters(HttpExchange exchange) throws IOException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        String type = exchange.getRequestHeaders().getFirst("Content-Type");
        if (type != null && type.startsWith("application/json") && body.length > 0) {
            return JSON.readTree(body);
        }
        ObjectNode parameters = JSON.createObjectNode();
        String form = type != null && type.startsWith("application/x-www-form-urlencoded") ? new String(body, UTF_8)
                : Optional.ofNullable(exchange.getRequestURI().getRawQuery()).orElse("");
        for (String pair : form.split("&")) {
            int equals = pair.indexOf('=');
            if (equals > 0) {
                parameters.put(URLDecoder.decode(pair.substring(0, equals), UTF_8), URLDecoder.decode(pair.substring(equals + 1), UTF_8));
            }
        }
        return parameters;
    }

    private static void answer(HttpExchange exchange, int status, ObjectNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }


    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
