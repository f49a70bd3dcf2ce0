package chowder.adapter.http;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * Control-plane routes and the bodies they answer without reading all of it, over a raw socket (the client's exact
 * bytes and what reaches it). Bodies over the limit sent whole before reading are in {@code ResponsesRequestBodyTest}.
 */
class UnreadBodyLingerTest extends ApiTest {

    /** A body that has arrived whole, though never read (here a wrong key's), is no reason to end the connection. */
    @Test
    void aSmallBodyTheRouteNeverReadLeavesTheConnectionOpenForTheNextRequest() throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), api.port())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/instances HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Authorization: Bearer not-a-key\r\nContent-Length: 2\r\n\r\n{}").getBytes(US_ASCII));
            out.flush();
            String refused = RawHttp.answer(socket.getInputStream());

            out.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(US_ASCII));
            out.flush();
            String health = RawHttp.answer(socket.getInputStream());

            assertThat(refused).startsWith("HTTP/1.1 401 ");
            assertThat(refused.toLowerCase(Locale.ROOT)).doesNotContain("connection: close");
            assertThat(health).startsWith("HTTP/1.1 200 ").contains("live");
        }
    }

    /**
     * A client sent a 100 Continue goes on sending: a body refused once part of it was read (over the limit, its length
     * not declared) is drained after the 413, where closing on it would reset the connection and the answer with it.
     */
    @Test
    void aBodyOverTheLimitRefusedAfterA100ContinueIsDrainedAndTheClientGetsThe413() throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), api.port())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            out.write(("POST /v1/instances HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Authorization: Bearer " + acmeKey + "\r\nExpect: 100-continue\r\nTransfer-Encoding: chunked\r\n\r\n")
                    .getBytes(US_ASCII));
            out.flush();
            assertThat(RawHttp.head(in)).startsWith("HTTP/1.1 100 ");

            // White space only, a JSON reader waits for the value: the limit and one byte more, all of it read by the route
            // before it refuses the body, so that nothing of it is left to read when the answer is given.
            RawHttp.chunk(out, " ".repeat((int) MAX_BODY + 1).getBytes(US_ASCII));
            out.flush();
            Thread.sleep(300);
            // Then the client goes on writing without reading.
            for (int i = 0; i < 64; i++) {
                RawHttp.chunk(out, " ".repeat(16 * 1024).getBytes(US_ASCII));
            }
            out.write("0\r\n\r\n".getBytes(US_ASCII));
            out.flush();
            String refused = new String(in.readAllBytes(), ISO_8859_1);

            assertThat(refused).startsWith("HTTP/1.1 413 ").contains("Request body is larger than the limit");
            assertThat(refused.toLowerCase(Locale.ROOT)).contains("\r\nconnection: close\r\n");
        }
    }
}
