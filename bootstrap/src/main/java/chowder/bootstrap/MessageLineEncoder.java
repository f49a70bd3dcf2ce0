package chowder.bootstrap;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.EncoderBase;
import java.nio.charset.StandardCharsets;

/**
 * Writes each event as its message alone on one UTF-8 line: what the access log's {@code %msg%n} pattern wrote, without
 * the pattern's builder and its string (the layout cost more bytes per request than the line itself, docs/perf.md).
 */
public final class MessageLineEncoder extends EncoderBase<ILoggingEvent> {
    private static final byte[] NO_BYTES = new byte[0];

    @Override
    public byte[] headerBytes() {
        return NO_BYTES;
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        String message = event.getFormattedMessage();
        byte[] line = new byte[message.length() + 1];
        return encodeInto(message, line) < 0 ? (message + '\n').getBytes(StandardCharsets.UTF_8) : line;
    }

    /**
     * Writes the event's line into {@code line} when it is ASCII and fits (the usual access line): its length, else -1
     * ({@link #encode} then). {@link BatchedConsoleAppender} writes from a buffer of its own this way, copying no line.
     */
    int encodeInto(ILoggingEvent event, byte[] line) {
        return encodeInto(event.getFormattedMessage(), line);
    }

    private static int encodeInto(String message, byte[] line) {
        int length = message.length();
        if (length + 1 > line.length) {
            return -1;
        }
        for (int i = 0; i < length; i++) {
            char c = message.charAt(i);
            if (c >= 0x80) {
                // Not ASCII (JSON escapes nothing above it): encoded as UTF-8 the usual way.
                return -1;
            }
            line[i] = (byte) c;
        }
        line[length] = '\n';
        return length + 1;
    }

    @Override
    public byte[] footerBytes() {
        return NO_BYTES;
    }
}
