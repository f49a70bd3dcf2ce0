package chowder.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import chowder.testing.ScriptedGateway;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CHOWDER_HTTP_HEADER_TIMEOUT through the real server: a client that sends its request headers slowly (a byte at a
 * time, each soon enough to keep the connection from going idle) is cut off about the timeout after the connection
 * was ready for a request, while an agent turn or a stream that lasts longer than the timeout is never cut by it.
 * Margins are generous (the machine may be busy): cut within three times the timeout, never before half of it.
 */
class HeaderTimeoutEndToEndTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(1);
    private static final Duration BYTE_GAP = Duration.ofMillis(100);
    private static final List<String> EVENTS = List.of(
            "event: response.created\ndata: {\"type\":\"response.created\"}\n\n",
            "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"delta\":\"Hi\"}\n\n",
            "event: response.completed\ndata: {\"type\":\"response.completed\"}\n\n",
            "data: [DONE]\n\n");

    @TempDir
    Path dataDir;
    private final ScriptedGateway gateway = ScriptedGateway.start(ScriptedGateway.status(200, "{\"object\":\"response\"}"));
    private RunningChowder chowder;
    private String key;
    private String responses;

    @BeforeEach
    void start() throws Exception {
        chowder = new RunningChowder(dataDir, Map.of("CHOWDER_HTTP_HEADER_TIMEOUT", TIMEOUT.toMillis() + "ms"));
        key = chowder.createOrganization("Acme").path("api_key").asText();
        responses = "/v1/instances/" + chowder.registerInstance(key, gateway.baseUrl(), "token") + "/responses";
    }

    @AfterEach
    void stop() {
        chowder.close();
        gateway.close();
    }

    @Test
    void aClientThatSendsItsHeadersByteByByteIsCutOffAfterAboutTheTimeout() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", chowder.port())) {
            long connected = System.nanoTime();
            Thread dribbler = dribble(socket, request("{\"input\":\"hi\"}"));
            Duration cut = Duration.ofNanos(awaitEnd(socket) - connected);
            dribbler.join(5_000);
            assertThat(cut).isBetween(TIMEOUT.dividedBy(2), TIMEOUT.multipliedBy(3));
        }
        assertThat(gateway.requestCount()).isZero();
    }

    @Test
    void theClockStartsAgainForTheNextRequestOnAKeptAliveConnection() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", chowder.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request("{\"input\":\"first\"}").getBytes(StandardCharsets.UTF_8));
            String first = readAnswer(socket.getInputStream());
            assertThat(first).startsWith("HTTP/1.1 200 ").endsWith("{\"object\":\"response\"}");
            long answered = System.nanoTime();

            Thread dribbler = dribble(socket, request("{\"input\":\"second\"}"));
            Duration cut = Duration.ofNanos(awaitEnd(socket) - answered);
            dribbler.join(5_000);
            assertThat(cut).isBetween(TIMEOUT.dividedBy(2), TIMEOUT.multipliedBy(3));
        }
        assertThat(gateway.requestCount()).isEqualTo(1);
    }

    @Test
    void anAgentTurnLongerThanTheTimeoutStillCompletes() throws Exception {
        gateway.play((out, socket) -> {
            Thread.sleep(TIMEOUT.multipliedBy(3).toMillis());
            ScriptedGateway.status(200, "{\"object\":\"response\",\"slow\":true}").play(out, socket);
        });
        HttpResponse<String> answer = chowder.send("POST", responses, key, "{\"input\":\"think\"}");
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.body()).isEqualTo("{\"object\":\"response\",\"slow\":true}");
    }

    @Test
    void aStreamWhoseEventsAreFartherApartThanTheTimeoutStillCompletes() throws Exception {
        gateway.play(ScriptedGateway.events(EVENTS, TIMEOUT.multipliedBy(3).dividedBy(2), false));
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + chowder.port() + responses))
                .header("Authorization", "Bearer " + key).POST(HttpRequest.BodyPublishers.ofString("{\"input\":\"hi\",\"stream\":true}")).build();
        HttpResponse<String> answer = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.body()).isEqualTo(String.join("", EVENTS));
    }

    private String request(String body) {
        return "POST " + responses + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + key
                + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body;
    }

    /** Writes {@code request} one byte every {@link #BYTE_GAP}, until it is written or the connection is gone. */
    private static Thread dribble(Socket socket, String request) {
        return Thread.ofVirtual().start(() -> {
            try {
                OutputStream out = socket.getOutputStream();
                for (byte b : request.getBytes(StandardCharsets.UTF_8)) {
                    out.write(b);
                    out.flush();
                    Thread.sleep(BYTE_GAP.toMillis());
                }
            } catch (IOException | InterruptedException e) {
                // cut off, as expected
            }
        });
    }

    /** Waits until the server ends the connection (end of stream or a reset); returns when, in nanoTime. */
    private static long awaitEnd(Socket socket) throws IOException {
        socket.setSoTimeout(15_000);
        try {
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[1024];
            while (in.read(buffer) >= 0) {
                // a 408 or anything else is fine: what matters is that the connection ends
            }
        } catch (java.net.SocketException reset) {
            // ended as well
        }
        return System.nanoTime();
    }

    /** Reads one answer with a Content-Length body. */
    private static String readAnswer(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed in the answer's head: " + head);
            }
            head.append((char) b);
        }
        int length = head.toString().lines().filter(line -> line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:"))
                .map(line -> Integer.parseInt(line.substring(15).strip())).findFirst().orElseThrow();
        return head + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }
}
