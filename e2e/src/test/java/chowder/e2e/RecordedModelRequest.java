package chowder.e2e;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One HTTP request that {@link ScriptedModelServer} received, and how its answer ended.
 *
 * @param number the request's position at the server, from 1
 * @param headers the request headers; look them up with {@link #header}, names are case-insensitive
 * @param conversation the chat-completions body as the model reads it; empty for other paths
 * @param outcome completed by the server when the answer is over, never exceptionally
 */
public record RecordedModelRequest(
        int number,
        Instant receivedAt,
        String method,
        String path,
        Map<String, List<String>> headers,
        String body,
        ModelConversation conversation,
        CompletableFuture<Outcome> outcome) {

    /** How the server's answer to a request ended. */
    public enum Outcome {
        /** The whole answer was written. */
        COMPLETED,
        /** The request scripted a failure ({@code fail:<status>} or {@code fail-midstream}) and got it. */
        FAILED_AS_SCRIPTED,
        /** Writing the answer failed: the caller had closed the connection. */
        CALLER_DISCONNECTED,
        /** The server was closed while the answer was still being prepared. */
        SERVER_CLOSED,
        /** The method and path are not served, or the body is not JSON. */
        REJECTED
    }

    public RecordedModelRequest {
        requireNonNull(receivedAt, "receivedAt is null");
        requireNonNull(method, "method is null");
        requireNonNull(path, "path is null");
        headers = Map.copyOf(headers);
        requireNonNull(body, "body is null");
        requireNonNull(conversation, "conversation is null");
        requireNonNull(outcome, "outcome is null");
    }

    public Optional<String> header(String name) {
        return headers.entrySet().stream()
                .filter(entry -> entry.getKey().equalsIgnoreCase(name))
                .flatMap(entry -> entry.getValue().stream())
                .findFirst();
    }

    /** Blocks until the answer is over, at most {@code timeout}; throws {@link AssertionError} on timeout. */
    public Outcome awaitOutcome(Duration timeout) {
        try {
            return outcome.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("model request " + number + " still running after " + timeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for model request " + number, e);
        } catch (ExecutionException e) {
            throw new AssertionError("model request " + number + " failed", e.getCause());
        }
    }
}
