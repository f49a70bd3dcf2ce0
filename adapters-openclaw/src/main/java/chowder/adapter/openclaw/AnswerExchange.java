package chowder.adapter.openclaw;

import chowder.application.port.GatewayAnswerListener;
import chowder.application.port.GatewayResponse;
import chowder.domain.Instance;
import chowder.domain.MemoryBudget;
import chowder.domain.TokenUsage;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.http.HttpHeader;

/**
 * A non-streaming call: the whole answer is gathered under the per-answer limit, each buffer counted against the
 * shared bound before it is allocated (a declared {@code Content-Length} at once, otherwise as the buffer doubles), so
 * that answers beyond the bound are refused instead of exhausting the heap. The listener gets the checked answer,
 * which keeps its bytes counted until it is closed; a failure or cancellation first gives them back.
 */
final class AnswerExchange extends GatewayExchange {
    // First buffer of an answer without Content-Length; it doubles from there.
    private static final int INITIAL_BODY_BUFFER_BYTES = 16 * 1024;
    // Above this, the answer is checked (one JSON value, its usage) on a virtual thread of its own.
    static final int LARGE_ANSWER_BYTES = 256 * 1024;

    private final int limit;
    private final MemoryBudget.Hold hold;
    // Who has the hold once the call is over: the answer, or nobody (a cancellation gave it back first).
    private final AtomicBoolean handedOver = new AtomicBoolean();
    private int status;
    private String contentType;
    private byte[] body;
    private int length;

    AnswerExchange(Instance instance, GatewayAnswerListener listener, Request request, GatewayLatency latency, int limit,
            MemoryBudget.Hold hold) {
        super(instance, listener, request, latency);
        this.limit = limit;
        this.hold = hold;
    }

    @Override
    void accepted(Response response) {
        status = response.getStatus();
        contentType = GatewayFailures.contentType(response, "application/json");
        long declared = response.getHeaders().getLongField(HttpHeader.CONTENT_LENGTH);
        if (declared > limit) {
            throw GatewayFailures.tooLarge(limit);
        }
        int capacity = declared >= 0 ? (int) declared : Math.min(INITIAL_BODY_BUFFER_BYTES, limit);
        hold.grow(capacity);
        body = new byte[capacity];
    }

    @Override
    boolean consume(ByteBuffer bytes) {
        int arrived = bytes.remaining();
        if (arrived > body.length - length) {
            if ((long) length + arrived > limit) {
                throw GatewayFailures.tooLarge(limit);
            }
            long doubled = Math.max(INITIAL_BODY_BUFFER_BYTES, 2L * body.length);
            body = resize(body, (int) Math.min(limit, Math.max(doubled, (long) length + arrived)));
        }
        bytes.get(body, length, arrived);
        length += arrived;
        return true;
    }

    @Override
    void contentEnded() {
        byte[] whole = length == body.length ? body : resize(body, length);
        body = null;
        if (!handedOver.compareAndSet(false, true)) {
            // The client went away first: the cancellation's task, queued behind this one, ends the call.
            return;
        }
        succeeded();
        if (whole.length > LARGE_ANSWER_BYTES) {
            // Checking a large answer takes milliseconds: not on the I/O thread every gateway's answers share.
            Thread.ofVirtual().name("chowder-large-answer").start(() -> deliver(whole));
        } else {
            deliver(whole);
        }
    }

    /** Checks the answer (one JSON value) and hands it over with its usage; the call has ended, so a broken one fails here. */
    private void deliver(byte[] whole) {
        Optional<TokenUsage> usage;
        try {
            usage = ReportedUsage.ofResponse(whole);
        } catch (RuntimeException e) {
            hold.close();
            listener.onFailure(e);
            return;
        }
        listener.onAnswer(new GatewayResponse(status, contentType, whole, usage, hold::close));
    }

    @Override
    void abandon() {
        if (handedOver.compareAndSet(false, true)) {
            hold.close();
        }
    }

    @Override
    void release() {
        body = null;
        hold.close();
    }

    private byte[] resize(byte[] buffer, int capacity) {
        // Both arrays live while the bytes are copied: count the new one before, the old one until after.
        hold.grow(capacity);
        byte[] resized = Arrays.copyOf(buffer, capacity);
        hold.shrink(buffer.length);
        return resized;
    }
}
