package chowder.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import chowder.testing.ScriptedGateway;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CHOWDER_HTTP_REFUSED_BODY_LINGER through the real server: a body refused before it was read is drained only that
 * long. A client that keeps sending it gets its 413 at once, and then the connection ends although the client has
 * not finished: it cannot keep Chowder reading for as long as it likes.
 */
class RefusedBodyLingerEndToEndTest {
    @TempDir
    Path dataDir;

    @Test
    void aRefusedBodyIsDrainedForTheLingerOnlyAndTheClientHasItsAnswerFirst() throws Exception {
        try (ScriptedGateway gateway = ScriptedGateway.start(ScriptedGateway.status(200, "{\"object\":\"response\"}"));
                RunningChowder chowder = new RunningChowder(dataDir, Map.of("CHOWDER_HTTP_REFUSED_BODY_LINGER", "1s",
                        "CHOWDER_MAX_REQUEST_BYTES", "1024"))) {
            String key = chowder.createOrganization("Acme").path("api_key").asText();
            String path = "/v1/instances/" + chowder.registerInstance(key, gateway.baseUrl(), "token") + "/responses";
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), chowder.port())) {
                socket.setSoTimeout(60_000);
                OutputStream out = socket.getOutputStream();
                out.write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAuthorization: Bearer "
                        + key + "\r\nContent-Length: 100000000\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                // A client that sends its 100 MB slowly, for a minute at most, whatever it is told.
                AtomicBoolean sending = new AtomicBoolean(true);
                Thread sender = Thread.ofVirtual().start(() -> {
                    long until = System.nanoTime() + Duration.ofMinutes(1).toNanos();
                    try {
                        while (sending.get() && System.nanoTime() < until) {
                            out.write(new byte[1000]);
                            out.flush();
                            Thread.sleep(50);
                        }
                    } catch (IOException | InterruptedException closed) {
                        // The server ended the connection.
                    }
                });
                long started = System.nanoTime();
                String answer = readUntilTheConnectionEnds(socket.getInputStream());
                Duration took = Duration.ofNanos(System.nanoTime() - started);
                sending.set(false);
                sender.join();

                assertThat(answer).startsWith("HTTP/1.1 413 ");
                assertThat(answer.toLowerCase(java.util.Locale.ROOT)).contains("connection: close");
                assertThat(answer).contains("larger than the limit of 1024 bytes");
                // Ended by Chowder after its linger (1 s), long before the client would have stopped (a minute).
                assertThat(took).isLessThan(Duration.ofSeconds(30));
            }
        }
    }

    /** Everything the server sent until it closed or reset the connection. */
    private static String readUntilTheConnectionEnds(InputStream in) {
        StringBuilder read = new StringBuilder();
        byte[] buffer = new byte[8192];
        try {
            for (int n; (n = in.read(buffer)) > 0; ) {
                read.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
            }
        } catch (IOException reset) {
            // A reset after the linger: what arrived before it is the answer.
        }
        return read.toString();
    }
}
