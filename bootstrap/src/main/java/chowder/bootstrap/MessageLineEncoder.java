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
        int length = message.length();
        byte[] line = new byte[length + 1];
        for (int i = 0; i < length; i++) {
            char c = message.charAt(i);
            if (c >= 0x80) {
                // Not ASCII (JSON escapes nothing above it): encoded as UTF-8 the usual way.
                return (message + '\n').getBytes(StandardCharsets.UTF_8);
            }
            line[i] = (byte) c;
        }
        line[length] = '\n';
        return line;
    }

    @Override
    public byte[] footerBytes() {
        return NO_BYTES;
    }
}
