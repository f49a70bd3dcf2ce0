package chowder.adapter.http.model;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A sandboxed agent can reach the model endpoint: sending a call's headers, or its body, a few bytes at a time must not
 * let it hold a connection for as long as it keeps sending.
 */
@Timeout(120)
class SlowModelCallsTest extends ModelEndpointTest {
    SlowModelCallsTest() throws Exception {}

    @Override
    protected Duration headerTimeout() {
        return Duration.ofSeconds(1);
    }

    @Override
    protected long minBodyBytesPerSecond() {
        return 100 * 1024;
    }

    @Test
    void headersSentAByteAtATimeAreCutAtTheHeaderTimeout() throws Exception {
        try (Socket socket = connect()) {
            byte[] head = ("POST /providers/openai/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + CREDENTIAL
                    + "\r\n" + "X-Padding: x\r\n".repeat(20)).getBytes(US_ASCII);
            // A byte every 100 ms: the head would take over 40 seconds.
            int sent = 0;
            try {
                for (; sent < head.length && !closed(socket); sent++) {
                    socket.getOutputStream().write(head[sent]);
                    socket.getOutputStream().flush();
                    Thread.sleep(100);
                }
            } catch (IOException reset) {
                // The endpoint closed the connection: the next write met its reset.
            }
            assertThat(sent).as("bytes of the head sent before the endpoint hung up").isLessThan(head.length);
        }
    }

    @Test
    void aBodySentAFewBytesAtATimeIsRefusedOnceItsGraceIsOver() throws Exception {
        try (Socket socket = connect()) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /providers/openai/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + CREDENTIAL
                    + "\r\nContent-Type: application/json\r\nContent-Length: 60000\r\n\r\n{\"model\":\"m1\",\"messages\":[]").getBytes(US_ASCII));
            out.flush();
            // 100 bytes every quarter second, 400 bytes per second, for at most a minute.
            InputStream in = socket.getInputStream();
            for (int i = 0; i < 240 && in.available() == 0; i++) {
                try {
                    out.write(" ".repeat(100).getBytes(US_ASCII));
                    out.flush();
                } catch (IOException stoppedReading) {
                    break;
                }
                Thread.sleep(250);
            }
            String answer = new String(in.readAllBytes(), UTF_8);
            assertThat(answer).startsWith("HTTP/1.1 400 ").contains("The model call's body could not be read: the request body arrived "
                    + "slower than 102400 bytes per second (CHOWDER_HTTP_MIN_BODY_RATE).");
            // The rest of the body is not read: the client is told that the connection ends.
            assertThat(answer.substring(0, answer.indexOf("\r\n\r\n")).toLowerCase(java.util.Locale.ROOT)).contains("\r\nconnection: close");
        }
        assertThat(provider.hasCall()).isFalse();
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket("127.0.0.1", endpoint.uri().getPort());
        socket.setSoTimeout(60_000);
        return socket;
    }

    /** Whether the endpoint ended the connection (without waiting when it has not). */
    private static boolean closed(Socket socket) throws IOException {
        socket.setSoTimeout(1);
        try {
            return socket.getInputStream().read() < 0;
        } catch (java.net.SocketTimeoutException open) {
            return false;
        } catch (IOException reset) {
            return true;
        } finally {
            socket.setSoTimeout(60_000);
        }
    }
}
