package chowder.adapter.http.model;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A model provider on loopback for the model endpoint's tests: it records each call (path, headers, body) and answers
 * with the {@link Answer} set for the next call: a JSON body, or server-sent events written one at a time, each only
 * once the test releases it ({@link #release()}), so that a test can tell an event relayed at once from one held back.
 * It notices when the caller goes away in the middle of a stream.
 */
final class ScriptedProvider implements AutoCloseable {
    record Call(String method, String path, Headers headers, String body) {}

    /** What to answer: a status, a content type and either a whole body or events (each written on release). */
    record Answer(int status, String contentType, String body, List<String> events) {
        static Answer json(int status, String body) {
            return new Answer(status, "application/json", body, List.of());
        }

        static Answer events(String... events) {
            return new Answer(200, "text/event-stream", null, List.of(events));
        }
    }

    private final HttpServer server;
    private final BlockingQueue<Call> calls = new LinkedBlockingQueue<>();
    private final Semaphore releases = new Semaphore(0);
    private final CompletableFuture<Void> callerGone = new CompletableFuture<>();
    private volatile Answer answer = Answer.json(200, "{}");
    private volatile boolean gated;

    ScriptedProvider() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
    }

    URI baseUrl(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    void answer(Answer next, boolean gateEvents) {
        this.answer = next;
        this.gated = gateEvents;
    }

    int answerStatus() {
        return answer.status();
    }

    /** Lets one more event of a gated stream out. */
    void release() {
        releases.release();
    }

    Call nextCall(Duration timeout) throws InterruptedException {
        Call call = calls.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (call == null) {
            throw new AssertionError("no call reached the provider within " + timeout);
        }
        return call;
    }

    boolean hasCall() {
        return !calls.isEmpty();
    }

    /** Completes when a write to a caller failed: it went away. */
    CompletableFuture<Void> callerGone() {
        return callerGone;
    }

    private void handle(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), UTF_8);
        calls.add(new Call(exchange.getRequestMethod(), exchange.getRequestURI().getPath(), exchange.getRequestHeaders(), body));
        Answer current = answer;
        exchange.getResponseHeaders().set("Content-Type", current.contentType());
        // What a provider sends that a tenant must not see: its account's rate limits and organization.
        exchange.getResponseHeaders().set("x-ratelimit-remaining-tokens", "123456");
        exchange.getResponseHeaders().set("openai-organization", "operator-org");
        exchange.getResponseHeaders().set("Set-Cookie", "provider=1");
        exchange.getResponseHeaders().set("Retry-After", "7");
        try {
            if (current.body() != null) {
                byte[] bytes = current.body().getBytes(UTF_8);
                exchange.sendResponseHeaders(current.status(), bytes.length);
                exchange.getResponseBody().write(bytes);
                exchange.close();
                return;
            }
            exchange.sendResponseHeaders(current.status(), 0);
            OutputStream out = exchange.getResponseBody();
            for (String event : current.events()) {
                if (gated && !releases.tryAcquire(30, TimeUnit.SECONDS)) {
                    throw new IOException("the test never released the next event");
                }
                out.write(event.getBytes(UTF_8));
                out.flush();
            }
            exchange.close();
        } catch (IOException e) {
            callerGone.complete(null);
            exchange.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            exchange.close();
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
