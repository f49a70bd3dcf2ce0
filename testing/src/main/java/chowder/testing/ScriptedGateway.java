package chowder.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A gateway that misbehaves on purpose, on a raw loopback socket so that it can do what a polite
 * HTTP server cannot: stall, reset the connection mid-body, speak garbage. It reads each request
 * whole, then plays the current {@link Script}, and it notices the moment the client (Chowder)
 * closes the connection, which is how tests prove that an upstream call was cancelled.
 */
public final class ScriptedGateway implements AutoCloseable {

    /** What to answer on one connection, after the request has been read. */
    @FunctionalInterface
    public interface Script {
        void play(OutputStream out, Socket socket) throws Exception;
    }

    private final ServerSocket server;
    private final BlockingQueue<Long> clientClosedAt = new LinkedBlockingQueue<>();
    private final AtomicInteger requests = new AtomicInteger();
    private volatile long lastBodyBytes = -1;
    private volatile Script script;

    private ScriptedGateway(Script script) throws IOException {
        this.script = script;
        this.server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("scripted-gateway-accept").start(this::acceptLoop);
    }

    public static ScriptedGateway start(Script script) {
        try {
            return new ScriptedGateway(script);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public URI baseUrl() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    public void play(Script next) {
        this.script = next;
    }

    /** How many whole requests (health probes aside) it has read. */
    public int requestCount() {
        return requests.get();
    }

    /** The size of the last request's body (health probes aside), -1 before the first. */
    public long lastBodyBytes() {
        return lastBodyBytes;
    }

    /** Waits until a client closed a connection while a script was playing; returns the time it noticed, in nanoTime. */
    public long awaitClientClosed(Duration timeout) throws InterruptedException {
        Long at = clientClosedAt.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (at == null) {
            throw new AssertionError("the client did not close its connection within " + timeout);
        }
        return at;
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // Closing is best effort.
        }
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                Thread.ofVirtual().start(() -> serve(socket));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            RequestHead request = readRequest(socket.getInputStream());
            if (request.line().startsWith("GET /readyz ")) {
                // Health probes always succeed: scripts are about the responses endpoint.
                status(200, "{\"ready\":true}").play(socket.getOutputStream(), socket);
                return;
            }
            lastBodyBytes = request.bodyBytes();
            requests.incrementAndGet();
            Thread.ofVirtual().start(() -> watchForClose(socket));
            script.play(socket.getOutputStream(), socket);
        } catch (Exception ignored) {
            // The client went away, or the script ended the connection on purpose.
        }
    }

    /** After the request, the client sends nothing more: end of stream means it closed the connection. */
    private void watchForClose(Socket socket) {
        try {
            if (socket.getInputStream().read() < 0) {
                clientClosedAt.add(System.nanoTime());
            }
        } catch (SocketException e) {
            if (!socket.isClosed()) {
                clientClosedAt.add(System.nanoTime());
            }
        } catch (IOException ignored) {
            // The socket is gone either way.
        }
    }

    private record RequestHead(String line, long bodyBytes) {}

    /** Reads one request, head and body; returns its request line and the size of its body. */
    private static RequestHead readRequest(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed before the request head ended");
            }
            head.write(b);
            matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        long contentLength = 0;
        for (String line : head.toString(StandardCharsets.ISO_8859_1).split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                contentLength = Long.parseLong(line.substring(15).strip());
            }
        }
        in.skipNBytes(contentLength);
        return new RequestHead(head.toString(StandardCharsets.ISO_8859_1).lines().findFirst().orElse(""), contentLength);
    }

    // Scripts ------------------------------------------------------------------------------------

    /** A status with a JSON body and optional extra header lines ("Name: value"). */
    public static Script status(int status, String jsonBody, String... headerLines) {
        return (out, socket) -> {
            byte[] body = jsonBody.getBytes(StandardCharsets.UTF_8);
            StringBuilder head = new StringBuilder("HTTP/1.1 " + status + " Status\r\nContent-Type: application/json\r\n");
            for (String line : headerLines) {
                head.append(line).append("\r\n");
            }
            head.append("Content-Length: ").append(body.length).append("\r\nConnection: close\r\n\r\n");
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
        };
    }

    /** Server-sent events, each after {@code gap}, then the end of the body; {@code thenStall} keeps the connection open silently instead. */
    public static Script events(List<String> events, Duration gap, boolean thenStall) {
        return (out, socket) -> {
            out.write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            for (String event : events) {
                Thread.sleep(gap.toMillis());
                out.write(event.getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
            if (thenStall) {
                Thread.sleep(Duration.ofMinutes(5).toMillis());
            }
        };
    }

    /**
     * Server-sent events, the first at once and each further one only when {@code next} grants a permit, then the end of
     * the body. A test that receives an event while still holding the next one's permit knows, without any clock, that
     * the event was relayed before the gateway produced the following one.
     */
    public static Script eventsOnDemand(List<String> events, Semaphore next) {
        return (out, socket) -> {
            out.write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1));
            for (int i = 0; i < events.size(); i++) {
                if (i > 0 && !next.tryAcquire(5, TimeUnit.MINUTES)) {
                    return;
                }
                out.write(events.get(i).getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        };
    }

    /** Some events, then a TCP reset in the middle of the body. */
    public static Script eventsThenReset(List<String> events) {
        return (out, socket) -> {
            events(events, Duration.ZERO, false).play(out, socket);
            reset(socket);
        };
    }

    /** A JSON answer whose connection is reset halfway through the announced body. */
    public static Script jsonThenReset() {
        return (out, socket) -> {
            out.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"object\":\"resp"
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            Thread.sleep(50);
            reset(socket);
        };
    }

    /** Bytes that are not HTTP at all. */
    public static Script garbage() {
        return (out, socket) -> {
            out.write("SSH-2.0-OpenSSH_9.2\r\nnot http at all\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            Thread.sleep(200);
        };
    }

    /** Never answers (an agent thinking for a long time), until the client gives up. */
    public static Script silence() {
        return (out, socket) -> Thread.sleep(Duration.ofMinutes(5).toMillis());
    }

    private static void reset(Socket socket) throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }
}
