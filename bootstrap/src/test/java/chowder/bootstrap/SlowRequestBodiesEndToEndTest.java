package chowder.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import chowder.testing.FakeOpenClawGateway;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients that send their bodies a few bytes at a time, to a turn and to a control-plane route at once, are answered 408
 * once the grace is over, instead of holding their connections for as long as they keep trickling.
 */
class SlowRequestBodiesEndToEndTest {
    @TempDir
    Path dataDir;
    private final FakeOpenClawGateway gateway = FakeOpenClawGateway.start("token-a");

    @AfterEach
    void stop() {
        gateway.close();
    }

    @Test
    void aTrickledTurnAndATrickledControlBodyAre408sNamingTheSetting() throws Exception {
        try (RunningChowder chowder = new RunningChowder(dataDir, Map.of("CHOWDER_HTTP_MIN_BODY_RATE", "100K"));
                var trickling = Executors.newVirtualThreadPerTaskExecutor()) {
            String key = chowder.createOrganization("Slow").path("api_key").asText();
            String instance = chowder.registerInstance(key, gateway.baseUrl(), "token-a");

            CompletableFuture<String> turn = CompletableFuture.supplyAsync(
                    () -> trickle(chowder.port(), "/v1/instances/" + instance + "/responses", key), trickling);
            CompletableFuture<String> newKey = CompletableFuture.supplyAsync(() -> trickle(chowder.port(), "/v1/keys", key), trickling);

            for (String answer : new String[] {turn.get(90, TimeUnit.SECONDS), newKey.get(90, TimeUnit.SECONDS)}) {
                assertThat(answer).startsWith("HTTP/1.1 408 ").contains("\"detail\":\"Request body arrived too slowly: after its first 10 seconds, "
                        + "a body must arrive at 102400 bytes per second or more over every 10 seconds (CHOWDER_HTTP_MIN_BODY_RATE).\"")
                        .containsIgnoringCase("\r\nConnection: close\r\n");
            }
            assertThat(gateway.received()).isEmpty();
            // The server is unharmed: a body sent at once is served.
            assertThat(chowder.send("POST", "/v1/instances/" + instance + "/responses", key, "{\"input\":\"hi\"}").statusCode()).isEqualTo(200);
        }
    }

    /**
     * Declares a 1 MB JSON body and sends 100 bytes of it every quarter second (400 bytes per second) until an answer
     * comes or the server stops reading; returns the answer.
     */
    private static String trickle(int port, String path, String key) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(60_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            out.write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + key
                    + "\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n{\"input\":\"").getBytes(StandardCharsets.US_ASCII));
            byte[] some = "x".repeat(100).getBytes(StandardCharsets.US_ASCII);
            // At most a minute: the server must have answered well before.
            for (int i = 0; i < 240 && in.available() == 0; i++) {
                try {
                    out.write(some);
                    out.flush();
                } catch (IOException stoppedReading) {
                    break;
                }
                Thread.sleep(250);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException | InterruptedException e) {
            throw new AssertionError("no answer to the trickled body of " + path, e);
        }
    }
}
