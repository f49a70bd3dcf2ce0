package chowder.bench;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * One keep-alive HTTP/1.1 connection with a blocking socket: the load generator's client. Deliberately
 * minimal (write the request, parse status, headers and a Content-Length or chunked body) so that the
 * client adds the same small, steady cost to every target and no thread hand-offs of its own.
 */
final class RawHttpConnection implements AutoCloseable {
    private final Socket socket;
    private final OutputStream out;
    private final BufferedInputStream in;
    private final byte[] line = new byte[8 * 1024];
    private byte[] drain;

    RawHttpConnection(Target target) throws IOException {
        this(target, 64 * 1024);
    }

    /** @param bufferBytes the read buffer: small when thousands of connections are open at once */
    RawHttpConnection(Target target, int bufferBytes) throws IOException {
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress(target.host(), target.port()), 10_000);
        out = socket.getOutputStream();
        in = new BufferedInputStream(socket.getInputStream(), bufferBytes);
    }

    /** Status and the body's framing, once the response headers are read. */
    record Head(int status, long contentLength, boolean chunked, boolean close) {}

    void send(byte[] head, byte[] body) throws IOException {
        out.write(head);
        if (body.length > 0) {
            out.write(body);
        }
        out.flush();
    }

    /** Sends the request and reads the whole response; returns the status, the body's bytes are counted and dropped. */
    int exchange(byte[] head, byte[] body) throws IOException {
        send(head, body);
        Head response = readHead();
        skipBody(response);
        return response.status();
    }

    Head readHead() throws IOException {
        String statusLine = readLine();
        if (!statusLine.startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP response: " + statusLine);
        }
        int status = Integer.parseInt(statusLine.substring(9, 12));
        long length = -1;
        boolean chunked = false;
        boolean close = statusLine.startsWith("HTTP/1.0");
        String header;
        while (!(header = readLine()).isEmpty()) {
            int colon = header.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = header.substring(0, colon).trim();
            String value = header.substring(colon + 1).trim();
            if (name.equalsIgnoreCase("Content-Length")) {
                length = Long.parseLong(value);
            } else if (name.equalsIgnoreCase("Transfer-Encoding") && value.equalsIgnoreCase("chunked")) {
                chunked = true;
            } else if (name.equalsIgnoreCase("Connection")) {
                close = value.equalsIgnoreCase("close");
            }
        }
        return new Head(status, length, chunked, close);
    }

    /** The body as a stream (chunked decoded); reading it to its end leaves the connection ready for the next request. */
    InputStream body(Head head) {
        if (head.chunked()) {
            return new ChunkedBody();
        }
        if (head.contentLength() >= 0) {
            return new LimitedBody(head.contentLength());
        }
        return in;
    }

    private void skipBody(Head head) throws IOException {
        InputStream body = body(head);
        if (drain == null) {
            drain = new byte[64 * 1024];
        }
        while (body.read(drain, 0, drain.length) >= 0) {
            // dropped
        }
    }

    /** A line without its CRLF (or LF), as Latin-1. */
    String readLine() throws IOException {
        int n = 0;
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) {
                throw new EOFException("connection closed");
            }
            if (n < line.length) {
                line[n++] = (byte) b;
            }
        }
        if (n > 0 && line[n - 1] == '\r') {
            n--;
        }
        return new String(line, 0, n, StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    /** A response body, read in blocks. */
    private abstract static class BodyStream extends InputStream {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }
    }

    private final class LimitedBody extends BodyStream {
        private long remaining;

        LimitedBody(long length) {
            remaining = length;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int read = in.read(buffer, offset, (int) Math.min(length, remaining));
            if (read < 0) {
                throw new EOFException("body cut off");
            }
            remaining -= read;
            return read;
        }
    }

    private final class ChunkedBody extends BodyStream {
        private long chunkLeft;
        private boolean ended;
        // Jetty sends a chunk's closing CRLF only with the next chunk: reading it eagerly would hold each SSE
        // event back until the next one arrives, so it is read just before the next chunk's size.
        private boolean crlfPending;

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            if (ended) {
                return -1;
            }
            if (chunkLeft == 0) {
                if (crlfPending) {
                    readLine();
                    crlfPending = false;
                }
                String size = readLine();
                int semicolon = size.indexOf(';');
                chunkLeft = Long.parseLong((semicolon < 0 ? size : size.substring(0, semicolon)).trim(), 16);
                if (chunkLeft == 0) {
                    while (!readLine().isEmpty()) {
                        // trailers
                    }
                    ended = true;
                    return -1;
                }
            }
            int read = in.read(buffer, offset, (int) Math.min(length, chunkLeft));
            if (read < 0) {
                throw new EOFException("chunk cut off");
            }
            chunkLeft -= read;
            crlfPending = chunkLeft == 0;
            return read;
        }
    }
}
