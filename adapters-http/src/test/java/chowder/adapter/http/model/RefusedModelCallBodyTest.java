package chowder.adapter.http.model;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import chowder.adapter.http.RawHttp;
import java.util.Arrays;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A model call refused before its body was read whole (over the limit, a wrong credential), sent by a client that writes
 * its whole body before it reads: the answer reaches it, over a raw socket (the client's exact bytes and what reaches
 * it). Closing on the unread rest would reset the connection and the answer with it (Java's HttpClient: "header parser
 * received no bytes").
 */
class RefusedModelCallBodyTest extends ModelEndpointTest {
    RefusedModelCallBodyTest() throws Exception {}

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "a declared length over the limit, true, true, 413",
            "a body over the limit without a declared length, true, false, 413",
            "a wrong credential, false, true, 401"})
    void anAnswerBeforeTheBodyWasReadReachesAClientStillSendingIt(String what, boolean rightCredential, boolean declared, int status)
            throws Exception {
        // 64 KiB is the limit here: 16 times that, more than the socket buffers hold, so that a reset would come while
        // the client still writes.
        byte[] body = new byte[16 * 64 * 1024];
        Arrays.fill(body, (byte) ' ');
        String head = "POST /providers/openai/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Authorization: Bearer " + (rightCredential ? CREDENTIAL : "chm_other") + "\r\n"
                + (declared ? "Content-Length: " + body.length : "Transfer-Encoding: chunked") + "\r\n\r\n";
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), endpoint.uri().getPort())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(US_ASCII));
            int first = 100 * 1024;
            write(out, Arrays.copyOfRange(body, 0, first), declared);
            out.flush();
            // The answer comes meanwhile (past the limit, or at once for the credential); the client writes on without reading.
            Thread.sleep(300);
            write(out, Arrays.copyOfRange(body, first, body.length), declared);
            if (!declared) {
                out.write("0\r\n\r\n".getBytes(US_ASCII));
            }
            out.flush();
            String answer = new String(socket.getInputStream().readAllBytes(), ISO_8859_1);

            assertThat(answer).startsWith("HTTP/1.1 " + status + " ");
            assertThat(answer.toLowerCase(Locale.ROOT)).contains("\r\nconnection: close\r\n");
            assertThat(answer).contains(status == 413 ? "at most 65536 bytes" : "Unknown model credential");
        }
        assertThat(provider.hasCall()).isFalse();
    }

    /** A small body that has arrived whole, though never read (a wrong credential's), is no reason to end the connection. */
    @Test
    void aSmallBodyNeverReadLeavesTheConnectionOpenForTheNextCall() throws Exception {
        provider.answer(ScriptedProvider.Answer.json(200, "{\"ok\":true}"), false);
        String body = "{\"model\":\"m1\"}";
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), endpoint.uri().getPort())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(rawCall("chm_other", body).getBytes(US_ASCII));
            out.flush();
            String refused = RawHttp.answer(socket.getInputStream());

            out.write(rawCall(CREDENTIAL, body).getBytes(US_ASCII));
            out.flush();
            String relayed = RawHttp.head(socket.getInputStream());

            assertThat(refused).startsWith("HTTP/1.1 401 ");
            assertThat(refused.toLowerCase(Locale.ROOT)).doesNotContain("connection: close");
            assertThat(relayed).startsWith("HTTP/1.1 200 ");
        }
        assertThat(provider.nextCall(WAIT).body()).isEqualTo(body);
    }

    private static String rawCall(String credential, String body) {
        return "POST /providers/openai/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Authorization: Bearer " + credential + "\r\nContent-Length: " + body.length() + "\r\n\r\n" + body;
    }

    private static void write(OutputStream out, byte[] part, boolean declared) throws IOException {
        if (declared) {
            out.write(part);
        } else {
            RawHttp.chunk(out, part);
        }
    }
}
