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

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
