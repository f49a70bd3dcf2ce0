package chowder.adapter.http;

import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * A request body held as the parts it was read into, addressed by offset, so that it can be parsed and then forwarded
 * in slices without ever being copied whole. Parts double in size, up to what a declared length says is still to come (a
 * declared length is only a claim: before the first bytes, at most {@link #FIRST_PART} is reserved).
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

    private final List<byte[]> parts;
    private final long length;

    private ReceivedBody(List<byte[]> parts, long length) {
        this.parts = parts;
        this.length = length;
    }

    /** Reads {@code in} to its end; more than {@code limit} bytes is {@code tooLarge}'s exception, thrown before they are held. */
    static ReceivedBody read(InputStream in, long declared, long limit, java.util.function.Supplier<RuntimeException> tooLarge)
            throws IOException {
        List<byte[]> parts = new ArrayList<>(1);
        long length = 0;
        int size = declared > 0 ? (int) Math.min(declared, FIRST_PART) : SMALL_FIRST_PART;
        while (true) {
            byte[] part = new byte[size];
            int filled = in.readNBytes(part, 0, part.length);
            if (filled > 0) {
                if (length + filled > limit) {
                    throw tooLarge.get();
                }
                parts.add(filled == part.length ? part : java.util.Arrays.copyOf(part, filled));
                length += filled;
            }
            if (filled < part.length) {
                return new ReceivedBody(parts, length);
            }
            // Twice the last part, up to a bound and, for a declared body, to what is still to come: what is held stays
            // within about twice what has arrived, whatever the declaration claims.
            long rest = declared - length;
            size = (int) Math.min(Math.min(2L * size, LARGEST_PART), rest > 0 ? rest : Long.MAX_VALUE);
            if (rest == 0) {
                // Exactly the declared length arrived: one more byte would be a broken message, which the server refuses.
                size = 1;
            }
        }
    }

    long length() {
        return length;
    }

    /** The byte at {@code offset}. */
    public byte at(long offset) {
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

    /** The body's bytes when it arrived as one part (then they are all of that array), else null. */
    byte[] onlyPart() {
        return parts.size() == 1 ? parts.getFirst() : null;
    }

    /** The whole body as a stream, for a parser. */
    public InputStream stream() {
        return new InputStream() {
            private int part;
            private int position;

            @Override
            public int read() {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] buffer, int offset, int count) {
                while (part < parts.size() && position == parts.get(part).length) {
                    part++;
                    position = 0;
                }
                if (part == parts.size()) {
                    return -1;
                }
                int read = Math.min(count, parts.get(part).length - position);
                System.arraycopy(parts.get(part), position, buffer, offset, read);
                position += read;
                return read;
            }
        };
    }

    /**
     * Whether every byte sequence is well-formed UTF-8 (Unicode's table 3-7: no overlong forms, no surrogates, nothing
     * above U+10FFFF). Jackson checks the strings it decodes, but skips the ones the reader never needs, checking less.
     */
    public boolean isWellFormedUtf8() {
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
