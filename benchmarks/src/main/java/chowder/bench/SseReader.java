package chowder.bench;

import java.io.IOException;
import java.io.InputStream;

/** Reads a text/event-stream: the data of one event at a time (its data lines joined), null at the end. */
final class SseReader {
    private final InputStream in;
    private final byte[] buffer = new byte[4 * 1024];
    private int position;
    private int limit;
    private final StringBuilder line = new StringBuilder(512);

    SseReader(InputStream in) {
        this.in = in;
    }

    String nextData() throws IOException {
        StringBuilder data = null;
        String current;
        while ((current = readLine()) != null) {
            if (current.isEmpty()) {
                if (data != null) {
                    return data.toString();
                }
                continue;
            }
            if (current.startsWith("data:")) {
                String value = current.substring(current.length() > 5 && current.charAt(5) == ' ' ? 6 : 5);
                if (data == null) {
                    data = new StringBuilder(value);
                } else {
                    data.append('\n').append(value);
                }
            }
        }
        return data == null ? null : data.toString();
    }

    private String readLine() throws IOException {
        line.setLength(0);
        while (true) {
            if (position == limit) {
                limit = in.read(buffer, 0, buffer.length);
                position = 0;
                if (limit <= 0) {
                    limit = 0;
                    return line.isEmpty() ? null : line.toString();
                }
            }
            byte b = buffer[position++];
            if (b == '\n') {
                int end = line.length();
                if (end > 0 && line.charAt(end - 1) == '\r') {
                    line.setLength(end - 1);
                }
                return line.toString();
            }
            line.append((char) (b & 0xff));
        }
    }
}
