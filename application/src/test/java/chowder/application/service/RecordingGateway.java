package chowder.application.service;

import chowder.application.port.out.AgentGatewayPort;
import chowder.application.port.out.GatewayResponse;
import chowder.application.port.out.ResponseRequest;
import chowder.application.port.out.ResponseStream;
import chowder.domain.Instance;
import chowder.domain.SessionKey;
import chowder.domain.TokenUsage;
import java.util.Optional;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A fake gateway that records what it was sent and answers with a fixed body or fixed events (or a set failure). */
public final class RecordingGateway implements AgentGatewayPort {
    public record Call(Instance instance, SessionKey sessionKey, ResponseRequest request) {}

    public static final List<String> EVENTS = List.of(
            "event: response.created\ndata: {\"type\":\"response.created\"}\n\n",
            "event: response.completed\ndata: {\"type\":\"response.completed\"}\n\n",
            "data: [DONE]\n\n");

    public final List<Call> calls = new CopyOnWriteArrayList<>();
    /** When set, every call fails with it, as a failing gateway adapter would. */
    public volatile RuntimeException failure;
    /** When set, streams fail with it after their first event. */
    public volatile RuntimeException streamFailure;
    public volatile boolean lastStreamClosed;
    /** When set, runs during each call (what the gateway does meanwhile: a model call of its own, say). */
    public volatile Runnable duringCall;

    @Override
    public GatewayResponse createResponse(Instance instance, SessionKey sessionKey, ResponseRequest request) {
        record(instance, sessionKey, request);
        return new GatewayResponse(200, "application/json", "{\"object\":\"response\"}".getBytes(StandardCharsets.UTF_8),
                Optional.of(new TokenUsage(10, 5)));
    }

    @Override
    public ResponseStream streamResponse(Instance instance, SessionKey sessionKey, ResponseRequest request) {
        record(instance, sessionKey, request);
        lastStreamClosed = false;
        Deque<String> events = new ArrayDeque<>(EVENTS);
        RuntimeException failAfterFirst = streamFailure;
        return new ResponseStream() {
            private int sent;

            @Override
            public int status() {
                return 200;
            }

            @Override
            public String contentType() {
                return "text/event-stream";
            }

            @Override
            public byte[] nextEvent() {
                if (failAfterFirst != null && sent == 1) {
                    throw failAfterFirst;
                }
                String event = events.poll();
                sent++;
                return event == null ? null : event.getBytes(StandardCharsets.UTF_8);
            }

            @Override
            public Optional<TokenUsage> usage() {
                return events.isEmpty() ? Optional.of(new TokenUsage(7, 3)) : Optional.empty();
            }

            @Override
            public void close() {
                lastStreamClosed = true;
            }
        };
    }

    private void record(Instance instance, SessionKey sessionKey, ResponseRequest request) {
        calls.add(new Call(instance, sessionKey, request));
        if (duringCall != null) {
            duringCall.run();
        }
        if (failure != null) {
            throw failure;
        }
    }
}
