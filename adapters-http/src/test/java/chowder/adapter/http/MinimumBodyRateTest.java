package chowder.adapter.http;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A real Jetty server whose handler reads each body whole, behind a minimum of 5,000 bytes per second over windows of
 * one second after the first, and a raw socket client sending at the pace each test needs. The answer says how many bytes were read, or
 * which failure the read met.
 */
@Timeout(60)
class MinimumBodyRateTest {
    private static final long RATE = 5_000;
    private static final Duration WINDOW = Duration.ofSeconds(1);

    private final Server server = new Server();

    @BeforeEach
    void start() throws Exception {
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        server.setHandler(new MinimumBodyRate(RATE, WINDOW, new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                String outcome;
                try (InputStream body = Content.Source.asInputStream(request)) {
                    outcome = "read " + body.transferTo(OutputStream.nullOutputStream());
                } catch (IOException e) {
                    outcome = "failed " + (e.getCause() == null ? e : e.getCause()).getClass().getSimpleName();
                }
                response.write(true, ByteBuffer.wrap(outcome.getBytes(StandardCharsets.UTF_8)), callback);
                return true;
            }
        }));
        server.start();
    }

    @AfterEach
    void stop() throws Exception {
        server.stop();
    }

    @Test
    void aBodyTrickledPastTheGraceFailsToBeRead() throws Exception {
        try (Socket client = connect()) {
            OutputStream out = head(client, 100_000);
            // 100 bytes every 200 ms: 500 bytes per second, far under the minimum once the first window is over.
            assertThat(trickle(client, out, 100, 100)).isEqualTo("failed TooSlow");
        }
    }

    @Test
    void aBodySentLargelyAtOnceThenTrickledFailsToBeReadThoughItsMeanIsStillAboveTheMinimum() throws Exception {
        try (Socket client = connect()) {
            // A million bytes at once: 200 seconds' worth at the minimum, which a mean since the start would let it trickle for.
            OutputStream out = head(client, 2_000_000);
            out.write(new byte[1_000_000]);
            out.flush();
            long start = System.nanoTime();
            assertThat(trickle(client, out, 10, 250)).isEqualTo("failed TooSlow");
            // Within a few windows, not the 200 seconds the mean would allow (loose: a loaded machine is slow).
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
        }
    }

    @Test
    void aBodyThatPausesPastTheFreeWindowOwesTheRateForTheTimePastItAtTheNextCheck() throws Exception {
        try (Socket client = connect()) {
            OutputStream out = head(client, 10_000);
            out.write(new byte[10]);
            out.flush();
            // Two and a half windows of silence (under the idle timeout), then a few bytes: 1.5 s at the rate are owed.
            Thread.sleep(2 * WINDOW.toMillis() + WINDOW.toMillis() / 2);
            out.write(new byte[10]);
            out.flush();
            client.setSoTimeout(20_000);
            assertThat(body(client.getInputStream())).isEqualTo("failed TooSlow");
        }
    }

    @Test
    void aBodyThatPausesWithinTheGraceThenArrivesIsReadWhole() throws Exception {
        try (Socket client = connect()) {
            OutputStream out = head(client, 10_000);
            out.write(new byte[100]);
            out.flush();
            Thread.sleep(WINDOW.toMillis() / 2);
            out.write(new byte[9_900]);
            out.flush();
            assertThat(body(client.getInputStream())).isEqualTo("read 10000");
        }
    }

    @Test
    void aBodyArrivingFasterThanTheMinimumIsReadWholeHoweverLongItTakes() throws Exception {
        try (Socket client = connect()) {
            // 3 seconds at 200,000 bytes per second, forty times the minimum: a sender paused for a few seconds by a
            // loaded machine (or a GC of the JVM it shares with the server) is still ahead of it.
            OutputStream out = head(client, 600_000);
            for (int i = 0; i < 30; i++) {
                out.write(new byte[20_000]);
                out.flush();
                Thread.sleep(100);
            }
            assertThat(body(client.getInputStream())).isEqualTo("read 600000");
        }
    }

    /** Sends {@code bytes} every 200 ms, at most {@code times} times, until an answer comes or the server stops reading; the answer. */
    private static String trickle(Socket client, OutputStream out, int bytes, int times) throws Exception {
        for (int i = 0; i < times; i++) {
            try {
                out.write(new byte[bytes]);
                out.flush();
            } catch (IOException closed) {
                break;
            }
            Thread.sleep(200);
            String answer = answerIfAny(client);
            if (answer != null) {
                return answer;
            }
        }
        return body(client.getInputStream());
    }

    private Socket connect() throws IOException {
        return new Socket(InetAddress.getLoopbackAddress(), ((ServerConnector) server.getConnectors()[0]).getLocalPort());
    }

    private static OutputStream head(Socket client, int length) throws IOException {
        OutputStream out = client.getOutputStream();
        out.write(("POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Length: " + length + "\r\n\r\n").getBytes(US_ASCII));
        out.flush();
        return out;
    }

    /** The answer's body when it has come, else null (without waiting). */
    private static String answerIfAny(Socket client) throws IOException {
        return client.getInputStream().available() > 0 ? body(client.getInputStream()) : null;
    }

    private static String body(InputStream in) throws IOException {
        String answer = RawHttp.head(in);
        if (answer.toLowerCase(java.util.Locale.ROOT).contains("transfer-encoding: chunked")) {
            int size = Integer.parseInt(new String(readLine(in), US_ASCII).strip(), 16);
            return new String(in.readNBytes(size), StandardCharsets.UTF_8);
        }
        return RawHttp.answer(new java.io.SequenceInputStream(
                new java.io.ByteArrayInputStream(answer.getBytes(StandardCharsets.ISO_8859_1)), in)).substring(answer.length());
    }

    private static byte[] readLine(InputStream in) throws IOException {
        java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
        for (int b = in.read(); b >= 0 && b != '\n'; b = in.read()) {
            line.write(b);
        }
        return line.toByteArray();
    }
}
