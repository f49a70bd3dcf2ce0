package chowder.adapter.http.observability;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One JSON line per answered request on the logger {@value #LOGGER}: when, which request (its id), the route
 * template (never the path: it carries session ids), status, duration, and whose request it was. Keys, tokens,
 * headers and bodies are never part of it.
 */
final class AccessLog {
    static final String LOGGER = "chowder.access";
    private static final Logger log = LoggerFactory.getLogger(LOGGER);

    private static final int LINE_CAPACITY = 320;
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    // The last second written, with its text up to the fraction: lines of one second share it (a race only formats twice).
    private volatile Second lastSecond = new Second(Long.MIN_VALUE, "");

    AccessLog() {
    }

    private record Second(long epochSecond, String text) {
    }

    boolean enabled() {
        return log.isInfoEnabled();
    }

    void write(Entry entry) {
        // Written by hand into one builder: this runs once per request, and a JSON generator cost more than the line.
        StringBuilder line = new StringBuilder(LINE_CAPACITY);
        line.append("{\"ts\":\"");
        timestamp(line, entry.finishedAt());
        line.append('"');
        string(line, "request_id", entry.requestId());
        string(line, "method", entry.method());
        string(line, "route", entry.route());
        line.append(",\"status\":").append(entry.status());
        line.append(",\"duration_ms\":").append(Math.round(entry.durationNanos() / 10_000.0) / 100.0);
        if (entry.organizationId() != null) {
            string(line, "organization_id", entry.organizationId());
        }
        if (entry.instanceId() != null) {
            string(line, "instance_id", entry.instanceId());
        }
        if (entry.requestBytes() >= 0) {
            line.append(",\"request_bytes\":").append(entry.requestBytes());
        }
        log.info(line.append('}').toString());
    }

    /**
     * {@code instant} as {@link Instant#toString()} writes it (ISO 8601 in UTC, the fraction in groups of three digits as
     * needed): the date and time of day are formatted once per second, which cost more than the rest of the line.
     */
    private void timestamp(StringBuilder line, Instant instant) {
        Second second = lastSecond;
        if (second.epochSecond() != instant.getEpochSecond()) {
            String whole = DateTimeFormatter.ISO_INSTANT.format(Instant.ofEpochSecond(instant.getEpochSecond()));
            second = new Second(instant.getEpochSecond(), whole.substring(0, whole.length() - 1));
            lastSecond = second;
        }
        line.append(second.text());
        int nanos = instant.getNano();
        if (nanos != 0) {
            line.append('.');
            if (nanos % 1_000_000 == 0) {
                digits(line, nanos / 1_000_000, 3);
            } else if (nanos % 1_000 == 0) {
                digits(line, nanos / 1_000, 6);
            } else {
                digits(line, nanos, 9);
            }
        }
        line.append('Z');
    }

    private static void digits(StringBuilder line, int value, int width) {
        for (int divisor = (int) Math.pow(10, width - 1); divisor > 0; divisor /= 10) {
            line.append((char) ('0' + value / divisor % 10));
        }
    }

    /** {@code ,"name":"value"} with the value escaped as JSON requires (RFC 8259 §7). */
    private static void string(StringBuilder line, String name, String value) {
        line.append(",\"").append(name).append("\":\"");
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\') {
                line.append('\\').append(c);
            } else if (c < 0x20) {
                line.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xf]);
            } else {
                line.append(c);
            }
        }
        line.append('"');
    }

    /** What one line says; the ids are null when unknown (no key, or no instance in the route). */
    record Entry(Instant finishedAt, String requestId, String method, String route, int status, long durationNanos,
            String organizationId, String instanceId, long requestBytes) {
    }
}
