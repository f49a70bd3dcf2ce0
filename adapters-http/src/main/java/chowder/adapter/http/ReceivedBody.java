package chowder.adapter.http;

import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.LongConsumer;
import java.util.function.Supplier;

/**
 * A request body held as the parts it was read into, addressed by offset, so that it can be parsed and then forwarded
 * in slices without ever being copied whole. Parts double in size, up to what a declared length says is still to come (a
 * declared length is only a claim: before the first bytes, at most {@link #FIRST_PART} is reserved). A body larger
 * than its first part is parsed as it arrives ({@link #stream()} reads on from the client), so that the parser's work
 * overlaps the client's sending instead of following it; the offsets and slices are those of the whole body once it
 * has ended. Each part is reserved before it is allocated ({@code reserve} may refuse it by throwing), so that what the
 * bodies being held take can be bounded.
 */
public final class ReceivedBody {
    static final int FIRST_PART = 64 * 1024;
    private static final int SMALL_FIRST_PART = 4 * 1024;
    // Under G1's humongous threshold (half a region, at least 512 KiB): a larger array is allocated outside the young
    // generation, in regions of its own, first touched and zeroed by the requesting thread. Parts of 1 MiB took 28 of
    // the 48 ms a 10 MB body spent in Chowder (docs/perf.md, step 5).
    static final int LARGEST_PART = 256 * 1024;
    private static final VarHandle EIGHT_BYTES = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ASCII_MASK = 0x8080808080808080L;

    private final long declared;
    private final long limit;
    private final Supplier<RuntimeException> tooLarge;
    private final LongConsumer reserve;
    // The full parts, in order; the part being filled follows them until the body ends.
    private final List<byte[]> parts = new ArrayList<>(1);
    private long length;
    // Null once the body has ended.
    private InputStream source;
    private byte[] filling;
    private int filled;

    private ReceivedBody(InputStream source, long declared, long limit, Supplier<RuntimeException> tooLarge, LongConsumer reserve) {
        this.source = source;
        this.declared = declared;
        this.limit = limit;
        this.tooLarge = tooLarge;
        this.reserve = reserve;
        this.filling = allocate(declared > 0 ? (int) Math.min(declared, FIRST_PART) : SMALL_FIRST_PART);
    }

    /**
     * Reads the first part of {@code in} (all of a small body); the rest is read as {@link #stream()} is. More than
     * {@code limit} bytes is {@code tooLarge}'s exception, thrown before they are held; {@code reserve} is told the size
     * of each part before it is allocated.
     */
    static ReceivedBody begin(InputStream in, long declared, long limit, Supplier<RuntimeException> tooLarge, LongConsumer reserve)
            throws IOException {
        ReceivedBody body = new ReceivedBody(in, declared, limit, tooLarge, reserve);
        while (!body.ended() && body.parts.isEmpty()) {
            body.fill();
        }
        if (!body.ended() && body.length == declared) {
            // All that was declared arrived: the end is one read away.
            body.fill();
        }
        return body;
    }

    /** Whether the body has been read to its end. */
    boolean ended() {
        return source == null;
    }

    /** Reads once from the client into the part being filled, starting the next part when it is full. */
    private void fill() throws IOException {
        int read = source.read(filling, filled, filling.length - filled);
        if (read < 0) {
            if (filled > 0) {
                parts.add(filled == filling.length ? filling : Arrays.copyOf(filling, filled));
            }
            source = null;
            filling = null;
            return;
        }
        if (length + read > limit) {
            throw tooLarge.get();
        }
        length += read;
        filled += read;
        if (filled == filling.length) {
            parts.add(filling);
            // Twice the last part, up to a bound and, for a declared body, to what is still to come: what is held stays
            // within about twice what has arrived, whatever the declaration claims.
            long rest = declared - length;
            int size = (int) Math.min(Math.min(2L * filling.length, LARGEST_PART), rest > 0 ? rest : Long.MAX_VALUE);
            // Exactly the declared length arrived: one more byte would be a broken message, which the server refuses.
            filling = allocate(rest == 0 ? 1 : size);
            filled = 0;
        }
    }

    private byte[] allocate(int size) {
        reserve.accept(size);
        return new byte[size];
    }

    long length() {
        requireEnded();
        return length;
    }

    /** The byte at {@code offset}. */
    public byte at(long offset) {
        requireEnded();
        for (byte[] part : parts) {
            if (offset < part.length) {
                return part[(int) offset];
            }
            offset -= part.length;
        }
        throw new IndexOutOfBoundsException("offset " + offset + " past the end");
    }

    /** Views of the bytes from {@code from} (inclusive) to {@code to} (exclusive), in order. */
    public List<ByteBuffer> slice(long from, long to) {
        requireEnded();
        List<ByteBuffer> views = new ArrayList<>(2);
        long start = 0;
        for (byte[] part : parts) {
            long end = start + part.length;
            if (end > from && start < to) {
                int first = (int) (Math.max(from, start) - start);
                int last = (int) (Math.min(to, end) - start);
                views.add(ByteBuffer.wrap(part, first, last - first));
            }
            start = end;
        }
        return views;
    }

    /** The body's bytes when it has ended and arrived as one part (then they are all of that array), else null. */
    byte[] onlyPart() {
        return ended() && parts.size() == 1 ? parts.getFirst() : null;
    }

    /** The whole body as a stream, for a parser: what has arrived, then what the client sends, read as it is asked for. */
    public InputStream stream() {
        return new InputStream() {
            private int part;
            private int position;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] buffer, int offset, int count) throws IOException {
                Objects.checkFromIndexSize(offset, count, buffer.length);
                if (count == 0) {
                    // Nothing asked, nothing waited for (InputStream's contract).
                    return 0;
                }
                while (true) {
                    if (part < parts.size()) {
                        byte[] held = parts.get(part);
                        if (position < held.length) {
                            return copy(held, held.length, buffer, offset, count);
                        }
                        part++;
                        position = 0;
                    } else if (ended()) {
                        return -1;
                    } else if (position < filled) {
                        return copy(filling, filled, buffer, offset, count);
                    } else {
                        // A part that fills up joins the full ones as it is: this stream's place in it stays.
                        fill();
                    }
                }
            }

            private int copy(byte[] from, int end, byte[] buffer, int offset, int count) {
                int read = Math.min(count, end - position);
                System.arraycopy(from, position, buffer, offset, read);
                position += read;
                return read;
            }
        };
    }

    private void requireEnded() {
        if (!ended()) {
            throw new IllegalStateException("the body is still arriving");
        }
    }

    /**
     * Whether every byte sequence is well-formed UTF-8 (Unicode's table 3-7: no overlong forms, no surrogates, nothing
     * above U+10FFFF). Jackson checks the strings it decodes, but skips the ones the reader never needs, checking less.
     */
    public boolean isWellFormedUtf8() {
        requireEnded();
        int needed = 0;
        int low = 0x80;
        int high = 0xBF;
        for (byte[] part : parts) {
            for (int i = 0; i < part.length; i++) {
                if (needed == 0) {
                    // Eight bytes at a time while they are ASCII, as nearly all of a request is.
                    while (i + Long.BYTES <= part.length && ((long) EIGHT_BYTES.get(part, i) & ASCII_MASK) == 0) {
                        i += Long.BYTES;
                    }
                    if (i == part.length) {
                        break;
                    }
                }
                int b = part[i] & 0xFF;
                if (needed > 0) {
                    if (b < low || b > high) {
                        return false;
                    }
                    needed--;
                    low = 0x80;
                    high = 0xBF;
                    continue;
                }
                if (b < 0x80) {
                    continue;
                }
                if (b >= 0xC2 && b <= 0xDF) {
                    needed = 1;
                } else if (b >= 0xE0 && b <= 0xEF) {
                    needed = 2;
                    low = b == 0xE0 ? 0xA0 : 0x80;
                    high = b == 0xED ? 0x9F : 0xBF;
                } else if (b >= 0xF0 && b <= 0xF4) {
                    needed = 3;
                    low = b == 0xF0 ? 0x90 : 0x80;
                    high = b == 0xF4 ? 0x8F : 0xBF;
                } else {
                    return false;
                }
            }
        }
        return needed == 0;
    }
}
