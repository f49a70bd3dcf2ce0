package chowder.adapter.http;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Locale;

/** HTTP/1.1 over a raw socket, for tests that need the client's exact bytes and what reaches it. */
public final class RawHttp {
    private RawHttp() {}

    /** Writes {@code chunk} as one chunk of a chunked body. */
    public static void chunk(OutputStream out, byte[] chunk) throws IOException {
        out.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(US_ASCII));
        out.write(chunk);
        out.write("\r\n".getBytes(US_ASCII));
    }

    /** One answer with a Content-Length: its head and body. */
    public static String answer(InputStream in) throws IOException {
        String head = head(in);
        int length = Integer.parseInt(head.toLowerCase(Locale.ROOT).replaceAll("(?s).*\r\ncontent-length: (\\d+)\r\n.*", "$1"));
        return head + new String(in.readNBytes(length), ISO_8859_1);
    }

    /** An answer's head, up to and with its empty line. */
    public static String head(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            assertThat(b).as("the connection closed before an answer's head: %s", head).isNotNegative();
            head.write(b);
        }
        return head.toString(ISO_8859_1);
    }
}
