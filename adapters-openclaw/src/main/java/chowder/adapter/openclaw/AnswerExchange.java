package chowder.adapter.openclaw;

import chowder.application.port.GatewayAnswerListener;
import chowder.application.port.GatewayResponse;
import chowder.domain.Instance;
import chowder.domain.MemoryBudget;
import chowder.domain.OverloadedException;
import chowder.domain.TokenUsage;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.util.BufferUtil;

/**
 * A non-streaming call: the whole answer is gathered under the per-answer limit, each buffer counted against the
 * shared bound before it is allocated (a declared {@code Content-Length} at once, otherwise as the buffer doubles), so
 * that answers beyond the bound are refused instead of exhausting the heap. An answer that arrives whole in one chunk
 * (a small one, usually) is not copied: the listener gets a view of Jetty's buffer, kept until the answer is closed,
 * as Jetty's own proxy relays its chunks. The listener gets the checked answer, which keeps its bytes counted (and that
 * buffer) until it is closed; a failure or cancellation first gives them back.
 */
final class AnswerExchange extends GatewayExchange {
    // First buffer of an answer without Content-Length; it doubles from there.
    private static final int INITIAL_BODY_BUFFER_BYTES = 16 * 1024;
    // Above this, the answer is checked (one JSON value, its usage) on a virtual thread of its own.
    static final int LARGE_ANSWER_BYTES = 256 * 1024;

    private final int limit;
    // The size of the Jetty client's network buffers, which a kept chunk holds.
    private final int networkBufferBytes;
    private final MemoryBudget.Hold hold;
    // Who has the hold once the call is over: the answer, or nobody (a cancellation gave it back first).
    private final AtomicBoolean handedOver = new AtomicBoolean();
    private int status;
    private String contentType;
    private long declared;
    private int capacity;
    // The answer as copied, when it came in more than one chunk (or without a length).
    private byte[] body;
    private int length;
    // The answer as it arrived, when one chunk held all of it: Jetty's chunk, kept, and a view of its bytes.
    private Content.Chunk kept;
    private ByteBuffer keptBytes;

    AnswerExchange(Instance instance, GatewayAnswerListener listener, Request request, GatewayLatency latency, int limit,
            int networkBufferBytes, MemoryBudget.Hold hold) {
        super(instance, listener, request, latency);
        this.limit = limit;
        this.networkBufferBytes = networkBufferBytes;
        this.hold = hold;
    }

    @Override
    void accepted(Response response) {
        status = response.getStatus();
        contentType = GatewayFailures.contentType(response, "application/json");
        declared = response.getHeaders().getLongField(HttpHeader.CONTENT_LENGTH);
        if (declared > limit) {
            throw GatewayFailures.tooLarge(limit);
        }
        capacity = declared >= 0 ? (int) declared : Math.min(INITIAL_BODY_BUFFER_BYTES, limit);
        // Counted now, whether the bytes are then kept in Jetty's buffer or copied.
        hold.grow(capacity);
    }

    @Override
    boolean consume(ByteBuffer bytes) {
        int arrived = bytes.remaining();
        if (arrived == 0) {
            return true;
        }
        if (body == null && kept == null && arrived == declared && countWholeBuffer() && (kept = retainChunk()) != null) {
            keptBytes = bytes.asReadOnlyBuffer();
            bytes.position(bytes.limit());
            return true;
        }
        if (body == null) {
            startCopy();
        }
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
        if (!handedOver.compareAndSet(false, true)) {
            // The client went away first: the cancellation's task, queued behind this one, ends the call (release()).
            return;
        }
        ByteBuffer whole;
        if (kept != null) {
            whole = keptBytes;
        } else if (body == null) {
            whole = BufferUtil.EMPTY_BUFFER;
        } else {
            // Writable, so that its array is parsed in place; the answer hands it on read-only.
            whole = ByteBuffer.wrap(length == body.length ? body : resize(body, length));
        }
        Runnable done = new Release(kept, hold);
        kept = null;
        keptBytes = null;
        body = null;
        succeeded();
        if (whole.remaining() > LARGE_ANSWER_BYTES) {
            // Checking a large answer takes milliseconds: not on the I/O thread every gateway's answers share.
            Thread.ofVirtual().name("chowder-large-answer").start(() -> deliver(whole, done));
        } else {
            deliver(whole, done);
        }
    }

    /** Checks the answer (one JSON value) and hands it over with its usage; the call has ended, so a broken one fails here. */
    private void deliver(ByteBuffer whole, Runnable done) {
        Optional<TokenUsage> usage;
        try {
            usage = ReportedUsage.ofResponse(whole);
        } catch (RuntimeException e) {
            done.run();
            listener.onFailure(e);
            return;
        }
        listener.onAnswer(new GatewayResponse(status, contentType, whole, usage, done));
    }

    @Override
    void abandon() {
        // Only the hold, which is thread-safe: a kept chunk is the invoker's, and release() gives it back.
        if (handedOver.compareAndSet(false, true)) {
            hold.close();
        }
    }

    @Override
    void release() {
        body = null;
        keptBytes = null;
        if (kept != null) {
            kept.release();
            kept = null;
        }
        hold.close();
    }

    /**
     * Counts the rest of Jetty's buffer as well, which a kept chunk holds whole (a 1 KiB answer keeps a buffer of the
     * client's response buffer size): false, with nothing counted, when that is beyond a bound; the answer is copied then.
     */
    private boolean countWholeBuffer() {
        long rest = networkBufferBytes - declared;
        if (rest <= 0) {
            return true;
        }
        try {
            hold.grow(rest);
            return true;
        } catch (OverloadedException e) {
            return false;
        }
    }

    /**
     * The answer is copied from here on: it comes in parts (or without a length), or more bytes came after a chunk
     * thought whole (no framing allows it, but nothing is assumed), which is then copied first.
     */
    private void startCopy() {
        body = new byte[capacity];
        if (kept != null) {
            length = keptBytes.remaining();
            keptBytes.get(keptBytes.position(), body, 0, length);
            keptBytes = null;
            kept.release();
            kept = null;
        }
    }

    /**
     * Gives the answer back once, whoever closes it and however often: a chunk released twice would let Jetty's pool
     * hand its buffer out twice, another answer's bytes then written over this one's (or the other way round). Its own
     * flag (one object per answer, not two).
     */
    private static final class Release extends AtomicBoolean implements Runnable {
        private final Content.Chunk chunk;
        private final MemoryBudget.Hold hold;

        Release(Content.Chunk chunk, MemoryBudget.Hold hold) {
            this.chunk = chunk;
            this.hold = hold;
        }

        @Override
        public void run() {
            if (compareAndSet(false, true)) {
                if (chunk != null) {
                    chunk.release();
                }
                hold.close();
            }
        }
    }

    private byte[] resize(byte[] buffer, int capacity) {
        // Both arrays live while the bytes are copied: count the new one before, the old one until after.
        hold.grow(capacity);
        byte[] resized = Arrays.copyOf(buffer, capacity);
        hold.shrink(buffer.length);
        return resized;
    }
}
