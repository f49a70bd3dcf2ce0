package chowder.adapter.http.responses;

import chowder.adapter.http.ErrorResponses;
import chowder.adapter.http.UnreadBodyDrain;
import chowder.adapter.http.observability.RequestIds;
import chowder.application.port.Cancellation;
import chowder.application.port.GatewayAnswerListener;
import chowder.application.port.GatewayResponse;
import chowder.application.port.ResponseRequest;
import chowder.application.port.in.SendResponseCommand;
import chowder.domain.Caller;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.InstanceId;
import chowder.domain.MemoryBudget;
import chowder.domain.SessionId;
import chowder.domain.TokenUsage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One turn relayed: the {@code clientRequest} read and resolved on the request's thread, then the gateway's answer
 * written to the {@code clientResponse} as it arrives, by whichever thread delivers it, with no thread waiting in
 * between. A whole answer goes out in one write; a stream event by event, each asked of the gateway only once the one
 * before is written, and always ended properly: a gateway that breaks it after it began costs the client a
 * {@code response.failed} event, then {@code data: [DONE]}. A client that goes away (a failed write, or the disconnect
 * watch) raises the request's cancellation, which aborts the gateway call.
 */
final class ResponseExchange implements GatewayAnswerListener {
    private static final Logger log = LoggerFactory.getLogger(ResponseExchange.class);
    private static final String METHOD = "POST";

    private final ResponsesRelay relay;
    private final ResponsesRoute route;
    private final Request clientRequest;
    private final Response clientResponse;
    private final Callback callback;
    private final long startNanos = System.nanoTime();
    private final String requestId;
    private final Cancellation clientGone = new Cancellation();
    private final AtomicBoolean completed = new AtomicBoolean();
    private final AtomicBoolean logged = new AtomicBoolean();
    // Known before the key is checked, so that the access log names the instance of a refused request too.
    private final InstanceId instanceId;
    private ClientDisconnectWatch watch;
    private Caller caller;
    // The memory the request's body takes, counted from its first byte until the answer is written.
    private MemoryBudget.Hold heldBody;
    // The stream's state, touched by one delivering thread at a time.
    private boolean streaming;
    private boolean sawFinal;
    private boolean sawDone;

    ResponseExchange(ResponsesRelay relay, ResponsesRoute route, Request clientRequest, Response clientResponse, Callback callback) {
        this.relay = relay;
        this.route = route;
        this.clientRequest = clientRequest;
        this.clientResponse = clientResponse;
        this.callback = callback;
        this.requestId = RequestIds.saneOrFresh(clientRequest.getHeaders().get(RequestIds.HEADER));
        this.instanceId = route.instanceId();
    }

    /** Reads and resolves the request on the calling thread, then hands it to the gateway; returns once it is sent. */
    void start() {
        clientResponse.getHeaders().put(RequestIds.HEADER, requestId);
        MDC.put(RequestIds.MDC_KEY, requestId);
        InputStream body = null;
        try {
            caller = relay.authentication.authenticate(clientRequest.getHeaders().get(HttpHeader.AUTHORIZATION));
            SessionId sessionId = route.sessionId();
            if (instanceId == null) {
                throw ChowderException.instanceNotFound();
            }
            body = Content.Source.asInputStream(clientRequest);
            heldBody = relay.heldBodies.open(caller.organizationId());
            ResponseRequest gatewayRequest = relay.requests.read(body, clientRequest.getLength(), heldBody::grow, clientGone, requestId);
            watch = ClientDisconnectWatch.start(clientRequest, clientResponse, clientGone::cancel);
            relay.responses.relay(new SendResponseCommand(caller, instanceId, sessionId, gatewayRequest), this);
        } catch (RuntimeException e) {
            releaseHeldBytes(body);
            // What was read of the body is no longer referenced, though a refused body may still be drained for a while.
            if (heldBody != null) {
                heldBody.close();
            }
            onFailure(e);
        } catch (Error e) {
            // An OutOfMemoryError, say, while a part was allocated: what was counted must not stay counted for good.
            if (heldBody != null) {
                heldBody.close();
            }
            throw e;
        } finally {
            MDC.remove(RequestIds.MDC_KEY);
        }
    }

    /**
     * Gives Jetty back the chunk a body refused halfway through still holds (its buffer goes back to the pool): the rest
     * of that chunk is read, never more, so nothing waits. Closing the stream instead would fail the request's content,
     * and the rest of the body could then not be drained before the answer ends.
     */
    private static void releaseHeldBytes(InputStream body) {
        if (body == null) {
            return;
        }
        try {
            body.skipNBytes(body.available());
        } catch (IOException e) {
            // Nothing was left to give back.
        }
    }

    @Override
    public void onAnswer(GatewayResponse answer) {
        closeWatch();
        clientResponse.setStatus(answer.status());
        clientResponse.getHeaders().put(HttpHeader.CONTENT_TYPE, answer.contentType());
        ByteBuffer body = answer.body();
        clientResponse.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.remaining());
        finishedWith(answer.status());
        // The body may be a view of the gateway adapter's buffer: closed once written, never before.
        write(true, body, Callback.from(() -> {
            answer.close();
            complete(null);
        }, failure -> {
            answer.close();
            complete(failure);
        }));
    }

    @Override
    public void onStreamStart(int status, String contentType) {
        streaming = true;
        relay.openStreams.incrementAndGet();
        clientResponse.setStatus(status);
        clientResponse.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        clientResponse.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
        // Tells nginx (and proxies that copy it) not to buffer this answer.
        clientResponse.getHeaders().put("X-Accel-Buffering", "no");
        // Before the head is written: from now on a probe must be an SSE comment, never a 1xx nor a verdict of "gone".
        watch.answerStarted();
        // The head goes out at once: the client knows the stream began before its first event.
        write(false, BufferUtil.EMPTY_BUFFER, Callback.NOOP);
    }

    @Override
    public void onEvent(ByteBuffer event, Runnable next) {
        sawDone |= StreamEvents.isDone(event);
        sawFinal |= StreamEvents.isFinal(event);
        write(false, event, Callback.from(next, failure -> {
            // The client is gone: the gateway call ends, then the event's buffer goes back to the gateway adapter.
            clientGone.cancel();
            next.run();
        }));
    }

    @Override
    public void onStreamEnd(Optional<TokenUsage> usage) {
        if (sawDone) {
            endStream(BufferUtil.EMPTY_BUFFER);
        } else if (!sawFinal) {
            endWithFailure("Gateway error – the stream ended before the response completed.");
        } else {
            endStream(StreamEvents.DONE.duplicate());
        }
    }

    @Override
    public void onFailure(RuntimeException failure) {
        MDC.put(RequestIds.MDC_KEY, requestId);
        try {
            if (!streaming) {
                closeWatch();
                writeError(failure);
            } else if (failure instanceof ChowderException e && e.code() == ErrorCode.REQUEST_CANCELLED) {
                closeWatch();
                complete(e);
            } else if (sawDone) {
                endStream(BufferUtil.EMPTY_BUFFER);
            } else {
                log.warn("Gateway stream failed after it began: {}", failure.getMessage());
                // A final event already told the client how the response ended; only [DONE] is missing.
                if (sawFinal) {
                    endStream(StreamEvents.DONE.duplicate());
                } else {
                    endWithFailure(failure instanceof ChowderException ? failure.getMessage() : "Gateway error – the stream failed.");
                }
            }
        } finally {
            MDC.remove(RequestIds.MDC_KEY);
        }
    }

    private void endWithFailure(String message) {
        write(false, relay.events.failed(message), Callback.from(() -> endStream(StreamEvents.DONE.duplicate()), this::complete));
    }

    private void endStream(ByteBuffer last) {
        closeWatch();
        finishedWith(clientResponse.getStatus());
        write(true, last, Callback.from(() -> complete(null), this::complete));
    }

    private void writeError(RuntimeException failure) {
        ErrorResponses.Answer answer = relay.errors.answer(failure, METHOD, route.template());
        if (clientResponse.isCommitted()) {
            complete(failure);
            return;
        }
        clientResponse.setStatus(answer.status());
        answer.headers().forEach(clientResponse.getHeaders()::put);
        // Answered before the body was read (too large, a wrong key, no such instance): the connection ends after this
        // answer. Kept open, Jetty would close it on the unread bytes, and the reset would take the answer with it; so the
        // rest of the body is dropped before the answer ends (UnreadBodyDrain). A client waiting for a 100 Continue gets
        // the answer instead, and sends no body.
        UnreadBodyDrain.Rest rest = UnreadBodyDrain.rest(clientRequest);
        boolean drain = rest == UnreadBodyDrain.Rest.COMING && !relay.refusedBodyLinger.isZero();
        if (rest != UnreadBodyDrain.Rest.NONE) {
            clientResponse.getHeaders().put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE.asString());
        }
        clientResponse.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        clientResponse.getHeaders().put(HttpHeader.CONTENT_LENGTH, answer.body().length);
        finishedWith(answer.status());
        // A client that has its error may send its next request at once: the body was read whole, or the connection ends.
        Callback completed = Callback.from(() -> complete(null), this::complete);
        if (drain) {
            UnreadBodyDrain.writeThenDrain(clientRequest, relay.refusedBodyLinger, this::write, ByteBuffer.wrap(answer.body()), completed);
        } else {
            write(true, ByteBuffer.wrap(answer.body()), completed);
        }
    }

    private void write(boolean last, ByteBuffer bytes, Callback written) {
        if (watch == null) {
            clientResponse.write(last, bytes, written);
        } else {
            watch.write(last, bytes, written);
        }
    }

    private void closeWatch() {
        if (watch != null) {
            watch.close();
        }
    }

    /** The request's metrics and access log line, written before its last write, so that they precede the client's next request. */
    private void finishedWith(int status) {
        if (!logged.compareAndSet(false, true)) {
            return;
        }
        relay.requestLog.finished(METHOD, route.template(), status, System.nanoTime() - startNanos, requestId, caller, instanceId,
                clientRequest.getLength());
    }

    private void complete(Throwable failure) {
        if (!completed.compareAndSet(false, true)) {
            return;
        }
        if (streaming) {
            relay.openStreams.decrementAndGet();
        }
        if (heldBody != null) {
            heldBody.close();
        }
        // A stream whose client went away is logged with the status it had begun with, as every request is.
        finishedWith(clientResponse.getStatus());
        if (failure == null) {
            callback.succeeded();
            return;
        }
        // The client is gone (or its write failed): the gateway call stops, and Jetty closes the connection.
        clientGone.cancel();
        callback.failed(failure);
    }
}
