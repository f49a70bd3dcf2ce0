package chowder.adapter.openclaw;

import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Cuts a server-sent-event byte stream into whole events, each returned with the blank line that
 * ends it (LF LF or CRLF CRLF), byte for byte as received. It never returns part of an event: a
 * stream that ends inside one is a failure. Not thread-safe.
 */
final class SseEventReader {
    private static final int READ_SIZE = 8 * 1024;

    private final InputStream in;
    private final int maxEventBytes;
    private byte[] buffer = new byte[READ_SIZE];
    private int length;
    private int scanned;

    SseEventReader(InputStream in, int maxEventBytes) {
        this.in = in;
        this.maxEventBytes = maxEventBytes;
    }

    /** The next event, or null at the end of the stream. */
    byte[] next() throws IOException {
        while (true) {
            int end = eventEnd();
            if (end > 0) {
                byte[] event = Arrays.copyOf(buffer, end);
                System.arraycopy(buffer, end, buffer, 0, length - end);
                length -= end;
                scanned = 0;
                return event;
            }
            if (length >= maxEventBytes) {
                throw new ChowderException(ErrorCode.GATEWAY_FAILED,
                        "Gateway error – a stream event is larger than the limit of " + maxEventBytes + " bytes.");
            }
            if (buffer.length - length < READ_SIZE) {
                buffer = Arrays.copyOf(buffer, Math.min(Math.max(buffer.length * 2, length + READ_SIZE), maxEventBytes + READ_SIZE));
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
