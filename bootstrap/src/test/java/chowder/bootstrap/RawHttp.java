package chowder.bootstrap;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** HTTP/1.1 over a plain socket, for tests that must control the connection itself (hang up, reuse). */
final class RawHttp implements AutoCloseable {
    private final Socket socket;

    RawHttp(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        // Generous: a loaded machine may pause for seconds; a test that waits for an answer that never comes still fails.
        socket.setSoTimeout(30_000);
    }

    void post(String path, String key, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String head = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + key
                + "\r\nContent-Type: application/json\r\nContent-Length: " + bytes.length + "\r\n\r\n";
        socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
    }

    /** Reads until {@code marker} has arrived, returning everything read so far. */
    String readUntil(String marker) throws IOException {
        StringBuilder text = new StringBuilder();
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[4096];
        while (!text.toString().contains(marker)) {
            int read = in.read(buffer);
            if (read < 0) {
                throw new IOException("connection closed before '" + marker + "'; got: " + text);
            }
            text.append(new String(buffer, 0, read, StandardCharsets.UTF_8));
        }
        return text.toString();
    }

    /** Sends nothing more (a TCP half-close), while still reading. */
    void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    /** Reads until the server closes the connection. */
    String readToEnd() throws IOException {
        return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    /** The content of a chunked body (extensions and trailers ignored). */
    static String dechunk(String chunked) {
        StringBuilder content = new StringBuilder();
        int at = 0;
        while (true) {
            int lineEnd = chunked.indexOf("\r\n", at);
            int size = Integer.parseInt(chunked.substring(at, lineEnd).split(";")[0].strip(), 16);
            if (size == 0) {
                return content.toString();
            }
            // Sizes count bytes; the tests' chunks are ASCII.
            content.append(chunked, lineEnd + 2, lineEnd + 2 + size);
            at = lineEnd + 2 + size + 2;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
