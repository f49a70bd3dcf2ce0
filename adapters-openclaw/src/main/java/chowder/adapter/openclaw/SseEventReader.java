package chowder.adapter.openclaw;

import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Cuts a server-sent-event byte stream into whole events, each returned with the blank line that
 * ends it (LF LF or CRLF CRLF), byte for byte as received. It never returns part of an event: a
 * stream that ends inside one is a failure. What its buffer grows beyond the first read size, and an event larger
 * than that until the next call (it is being relayed), count against the shared bound of held answers; the buffer
 * shrinks back once such an event is out. Not thread-safe; {@link #close()} gives the counted memory back.
 */
final class SseEventReader {
    private static final int READ_SIZE = 8 * 1024;

    private final InputStream in;
    private final int maxEventBytes;
    private final BufferedBytes.Hold hold;
    private byte[] buffer = new byte[READ_SIZE];
    private int length;
    private int scanned;
    private int handedOut;

    SseEventReader(InputStream in, int maxEventBytes, BufferedBytes.Hold hold) {
        this.in = in;
        this.maxEventBytes = maxEventBytes;
        this.hold = hold;
    }

    /** The next event, or null at the end of the stream. The previous event is no longer counted: it was relayed. */
    byte[] next() throws IOException {
        hold.shrink(handedOut);
        handedOut = 0;
        while (true) {
            int end = eventEnd();
            if (end > 0) {
                if (end > READ_SIZE) {
                    hold.grow(end);
                    handedOut = end;
                }
                byte[] event = Arrays.copyOf(buffer, end);
                System.arraycopy(buffer, end, buffer, 0, length - end);
                length -= end;
                scanned = 0;
                if (buffer.length > READ_SIZE && length <= READ_SIZE / 2) {
                    // A large event is out: a stream should not keep its largest buffer for the rest of its life.
                    int counted = buffer.length - READ_SIZE;
                    buffer = Arrays.copyOf(buffer, READ_SIZE);
                    hold.shrink(counted);
                }
                return event;
            }
            if (length >= maxEventBytes) {
                throw new ChowderException(ErrorCode.GATEWAY_FAILED,
                        "Gateway error – a stream event is larger than the limit of " + maxEventBytes + " bytes.");
            }
            if (buffer.length - length < READ_SIZE) {
                int grown = Math.min(Math.max(buffer.length * 2, length + READ_SIZE), maxEventBytes + READ_SIZE);
                // The growth is counted before it is allocated; the old growth is given back once the copy is done.
                hold.grow(grown - READ_SIZE);
                byte[] bigger = Arrays.copyOf(buffer, grown);
                hold.shrink(buffer.length - READ_SIZE);
                buffer = bigger;
            }
            int read = in.read(buffer, length, buffer.length - length);
            if (read < 0) {
                if (isBlank(buffer, length)) {
                    return null;
                }
                throw new ChowderException(ErrorCode.GATEWAY_FAILED, "Gateway error – the stream ended in the middle of an event.");
            }
            length += read;
        }
    }

    /** Gives back the counted memory; the reader must not be used afterwards. */
    void close() {
        hold.close();
    }

    /** The index just after the first event terminator, or 0 when the buffer holds no whole event yet. */
    private int eventEnd() {
        for (int i = Math.max(scanned, 0); i < length; i++) {
            if (buffer[i] != '\n') {
                continue;
            }
            if (i + 1 < length && buffer[i + 1] == '\n') {
                return i + 2;
            }
            if (i + 2 < length && buffer[i + 1] == '\r' && buffer[i + 2] == '\n') {
                return i + 3;
            }
            if (i + 2 >= length) {
                scanned = i;
                return 0;
            }
        }
        scanned = length;
        return 0;
    }

    private static boolean isBlank(byte[] bytes, int length) {
        for (int i = 0; i < length; i++) {
            if (bytes[i] != '\n' && bytes[i] != '\r' && bytes[i] != ' ') {
                return false;
            }
        }
        return true;
    }
}
