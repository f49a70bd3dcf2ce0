package chowder.adapter.openclaw;

import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.MemoryBudget;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Cuts a server-sent-event byte stream, fed chunk by chunk as it arrives, into whole events, each with the blank line
 * that ends it (LF LF or CRLF CRLF), byte for byte as received. An event that lies wholly in one chunk is handed out
 * as a view of that chunk, without a copy; only an event that spans chunks is carried over into a buffer of its own.
 * It never hands out part of an event: a stream that ends inside one is a failure, and so is an event larger than the
 * limit. What the carry buffer grows beyond a read size counts against the shared bound of held answers until the
 * event in it was relayed ({@link #relayed()}); the buffer is dropped then, so that one large event does not keep its
 * memory for the rest of the stream. Not thread-safe; {@link #close()} gives the counted memory back.
 */
final class SseEventSplitter {
    static final int READ_SIZE = 8 * 1024;
    // How the bytes scanned so far end: with no part of a terminator, with LF, or with LF CR.
    private static final int NONE = 0;
    private static final int LF = 1;
    private static final int LF_CR = 2;

    private final int maxEventBytes;
    private final MemoryBudget.Hold hold;
    // The start of an event that an earlier chunk ended inside of; null until one did.
    private byte[] carry;
    private int carried;
    // The scan state at the end of the carried bytes, so that a terminator cut by a chunk boundary is found.
    private int state = NONE;

    SseEventSplitter(int maxEventBytes, MemoryBudget.Hold hold) {
        this.maxEventBytes = maxEventBytes;
        this.hold = hold;
    }

    /**
     * The next whole event out of {@code chunk}, whose position moves past it; null once the chunk is used up (an
     * unfinished event at its end is carried over). The event is valid until the caller feeds the next bytes, and
     * must be {@link #relayed()} before that.
     */
    ByteBuffer next(ByteBuffer chunk) {
        int start = chunk.position();
        int end = eventEnd(chunk, start);
        if (end < 0) {
            int tail = chunk.remaining();
            if ((long) carried + tail >= maxEventBytes) {
                throw eventTooLarge();
            }
            append(chunk, tail);
            return null;
        }
        int length = end - start;
        if ((long) carried + length > maxEventBytes) {
            throw eventTooLarge();
        }
        if (carried == 0) {
            chunk.position(end);
            return chunk.slice(start, length);
        }
        append(chunk, length);
        ByteBuffer event = ByteBuffer.wrap(carry, 0, carried);
        carried = 0;
        return event;
    }

    /** The last event handed out is no longer referenced: a carry buffer grown beyond a read size is given back. */
    void relayed() {
        if (carry != null && carry.length > READ_SIZE) {
            hold.shrink(carry.length - READ_SIZE);
            carry = null;
        }
    }

    /** At the end of the stream: what is still carried must be no more than blank lines. */
    void end() {
        for (int i = 0; i < carried; i++) {
            if (carry[i] != '\n' && carry[i] != '\r' && carry[i] != ' ') {
                throw new ChowderException(ErrorCode.GATEWAY_FAILED, "Gateway error – the stream ended in the middle of an event.");
            }
        }
    }

    /** Gives back the counted memory; an event still referenced keeps its buffer alive, no longer counted. */
    void close() {
        hold.close();
        carry = null;
        carried = 0;
    }

    /** The index just after the first event terminator from {@code from}, or -1 when the chunk holds none. */
    private int eventEnd(ByteBuffer chunk, int from) {
        int scan = state;
        for (int i = from, limit = chunk.limit(); i < limit; i++) {
            byte b = chunk.get(i);
            if (b == '\n') {
                if (scan != NONE) {
                    state = NONE;
                    return i + 1;
                }
                scan = LF;
            } else {
                scan = b == '\r' && scan == LF ? LF_CR : NONE;
            }
        }
        state = scan;
        return -1;
    }

    /** Carries {@code length} bytes of {@code chunk} over, growing the buffer as needed (never beyond the limit). */
    private void append(ByteBuffer chunk, int length) {
        if (length == 0) {
            return;
        }
        int needed = carried + length;
        if (carry == null || needed > carry.length) {
            int old = carry == null ? 0 : carry.length;
            int capacity = (int) Math.min(maxEventBytes, Math.max(Math.max(READ_SIZE, 2L * old), needed));
            // The growth is counted before it is allocated; the old growth is given back once the copy is done.
            hold.grow(Math.max(0, capacity - READ_SIZE));
            byte[] bigger = carry == null ? new byte[capacity] : Arrays.copyOf(carry, capacity);
            hold.shrink(Math.max(0, old - READ_SIZE));
            carry = bigger;
        }
        chunk.get(carry, carried, length);
        carried = needed;
    }

    private ChowderException eventTooLarge() {
        return new ChowderException(ErrorCode.GATEWAY_FAILED,
                "Gateway error – a stream event is larger than the limit of " + maxEventBytes + " bytes.");
    }
}
