package chowder.application.service;

import chowder.application.port.GatewayAnswerListener;
import chowder.application.port.GatewayResponse;
import chowder.application.port.ResponseRequest;
import chowder.application.port.out.AgentGatewayPort;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.Instance;
import chowder.domain.SessionKey;
import chowder.domain.TokenUsage;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

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
    public void relayResponse(Instance instance, SessionKey sessionKey, ResponseRequest request, GatewayAnswerListener listener) {
        record(instance, sessionKey, request);
        if (failure != null) {
            listener.onFailure(failure);
            return;
        }
        if (!request.stream()) {
            listener.onAnswer(new GatewayResponse(200, "application/json", "{\"object\":\"response\"}".getBytes(StandardCharsets.UTF_8),
                    Optional.of(new TokenUsage(10, 5))));
            return;
        }
        lastStreamClosed = false;
        RuntimeException failAfterFirst = streamFailure;
        AtomicBoolean finished = new AtomicBoolean();
        request.cancellation().onCancel(() -> {
            if (finished.compareAndSet(false, true)) {
                lastStreamClosed = true;
                listener.onFailure(new ChowderException(ErrorCode.REQUEST_CANCELLED, "The request was cancelled: the client went away."));
            }
        });
        listener.onStreamStart(200, "text/event-stream");
        sendEvent(new ArrayDeque<>(EVENTS), 0, failAfterFirst, finished, listener);
    }

    /** Each event once the one before was written, as a gateway adapter relaying with demand does. */
    private void sendEvent(Deque<String> events, int sent, RuntimeException failAfterFirst, AtomicBoolean finished,
            GatewayAnswerListener listener) {
        if (finished.get()) {
            return;
        }
        if (failAfterFirst != null && sent == 1) {
            if (finished.compareAndSet(false, true)) {
                lastStreamClosed = true;
                listener.onFailure(failAfterFirst);
            }
            return;
        }
        String event = events.poll();
        if (event == null) {
            if (finished.compareAndSet(false, true)) {
                lastStreamClosed = true;
                listener.onStreamEnd(Optional.of(new TokenUsage(7, 3)));
            }
            return;
        }
        listener.onEvent(ByteBuffer.wrap(event.getBytes(StandardCharsets.UTF_8)),
                () -> sendEvent(events, sent + 1, failAfterFirst, finished, listener));
    }

    private void record(Instance instance, SessionKey sessionKey, ResponseRequest request) {
        calls.add(new Call(instance, sessionKey, request));
        if (duringCall != null) {
            duringCall.run();
        }
    }
}
