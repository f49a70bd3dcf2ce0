package chowder.adapter.http.model;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * A gateway credential differing only in case from the one sent before on the same keep-alive connection is refused:
 * Jetty's per-connection header cache must not hand back the earlier, valid value for it.
 */
class ModelCredentialNearMissTest extends ModelEndpointTest {
    private static final String BODY = "{\"model\":\"m1\"}";

    ModelCredentialNearMissTest() throws Exception {}

    @Test
    void aNearMissOfTheCredentialOnTheSameConnectionIsRefused() throws Exception {
        List<String> nearMisses = List.of(CREDENTIAL.toUpperCase(Locale.ROOT), "Chm_gateway-of-instance-a", "chm_gateway-of-instance-A");
        for (String header : List.of("Authorization: Bearer ", "x-api-key: ")) {
            for (String nearMiss : nearMisses) {
                // A refusal closes its connection: each near miss follows a right call on a connection of its own.
                try (Socket socket = new Socket("127.0.0.1", endpoint.uri().getPort())) {
                    InputStream in = new BufferedInputStream(socket.getInputStream());
                    String accepted = exchange(socket, in, header + CREDENTIAL);
                    assertThat(accepted).as(header).startsWith("HTTP/1.1 200");
                    assertThat(accepted.toLowerCase(Locale.ROOT)).as("the connection stays open").doesNotContain("connection: close");
                    String refused = exchange(socket, in, header + nearMiss);
                    assertThat(refused).as(header + nearMiss).startsWith("HTTP/1.1 401").contains("Unknown model credential");
                }
            }
        }
        // Only the calls with the right credential reached the provider.
        assertThat(provider.nextCall(WAIT)).isNotNull();
        awaitMetered(2 * nearMisses.size());
        assertThat(metered).hasSize(2 * nearMisses.size());
    }

    /** Writes one call with this credential header on the connection and reads its whole answer (head and body). */
    private static String exchange(Socket socket, InputStream in, String credentialHeader) throws IOException {
        String request = "POST /providers/openai/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n" + credentialHeader
                + "\r\nContent-Type: application/json\r\nContent-Length: " + BODY.length() + "\r\n\r\n" + BODY;
        socket.getOutputStream().write(request.getBytes(US_ASCII));
        String head = line(in);
        StringBuilder answer = new StringBuilder(head).append("\r\n");
        long length = -1;
        boolean chunked = false;
        for (String field = line(in); !field.isEmpty(); field = line(in)) {
            answer.append(field).append("\r\n");
            String lower = field.toLowerCase(Locale.ROOT);
            if (lower.startsWith("content-length:")) {
                length = Long.parseLong(field.substring(15).strip());
            } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                chunked = true;
            }
        }
        answer.append("\r\n");
        if (chunked) {
            for (int size = Integer.parseInt(line(in).strip(), 16); size > 0; size = Integer.parseInt(line(in).strip(), 16)) {
                answer.append(new String(in.readNBytes(size), UTF_8));
                line(in);
            }
            line(in);
        } else {
            assertThat(length).as("an answer that is not chunked declares its length: " + answer).isNotNegative();
            answer.append(new String(in.readNBytes((int) length), UTF_8));
        }
        return answer.toString();
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("the connection closed in the middle of an answer: " + line.toString(US_ASCII));
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(US_ASCII);
    }
}
