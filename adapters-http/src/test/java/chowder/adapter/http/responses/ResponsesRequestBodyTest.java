package chowder.adapter.http.responses;

import static org.assertj.core.api.Assertions.assertThat;

import chowder.adapter.http.ApiTest;
import chowder.adapter.http.UnreadBodyDrain;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** A responses request's body: what is refused (and why), and what the gateway is sent of it. */
class ResponsesRequestBodyTest extends ApiTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "not json|Request body is not valid JSON",
            "[1,2]|Request body must be a JSON object.",
            "`\"text\"`|Request body must be a JSON object.",
            "{}|input is required",
            "{\"input\":null}|input is required",
            "{\"input\":\"x\",\"model\":5}|model must be a string.",
            "{\"model\":{\"input\":\"smuggled\"},\"input\":\"x\"}|model must be a string.",
            "{\"input\":\"x\",\"model\":\"a\",\"model\":[1]}|model must be a string.",
            "{\"input\":\"x\",\"stream\":\"yes\"}|stream must be true or false.",
            "{\"input\":\"x\"} junk|Request body is not valid JSON",
            "{\"input\":\"x\"}{\"input\":\"y\"}|content after the JSON value"})
    void badBodiesAre400(String body, String message) throws Exception {
        String id = register(acmeKey);
        HttpResponse<String> response = send("POST", "/v1/instances/" + id + "/responses", acmeKey, body);
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(detail(response)).contains(message);
        assertThat(gateway.calls).isEmpty();
    }

    /** Each repeated model is a cut to make in the forwarded body: 64 pass (the last wins), 65 are no client's mistake. */
    @Test
    void aModelRepeatedBeyondTheBoundIsA400() throws Exception {
        String id = register(acmeKey);
        String sixtyFour = ",\"model\":\"m\"".repeat(ResponsesRequestReader.MAX_MODEL_MEMBERS);
        assertThat(send("POST", "/v1/instances/" + id + "/responses", acmeKey, "{\"input\":\"x\"" + sixtyFour + "}").statusCode())
                .isEqualTo(200);
        assertThat(new String(gateway.calls.getLast().request().otherFieldsJson(), java.nio.charset.StandardCharsets.UTF_8))
                .isEqualTo("{\"input\":\"x\"}");
        HttpResponse<String> refused = send("POST", "/v1/instances/" + id + "/responses", acmeKey,
                "{\"input\":\"x\"" + sixtyFour + ",\"model\":\"m\"}");
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(detail(refused)).isEqualTo("model appears more than 64 times in the request body.");
        assertThat(gateway.calls).hasSize(1);
    }

    @Test
    void malformedJsonSaysWhereWithoutTheParsersInternals() throws Exception {
        String id = register(acmeKey);
        for (String path : List.of("/v1/instances", "/v1/instances/" + id + "/responses")) {
            HttpResponse<String> unterminated = send("POST", path, acmeKey, "{\"name\": \"x\", \"input\": \"y\"");
            HttpResponse<String> badValue = send("POST", path, acmeKey, "{\n  \"name\": \"x\",\n  \"input\": nope\n}");
            for (HttpResponse<String> response : List.of(unterminated, badValue)) {
                assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
                assertThat(detail(response)).startsWith("Request body is not valid JSON: ")
                        .doesNotContain("Source", "REDACTED", "StreamReadFeature", "com.fasterxml");
            }
            assertThat(detail(unterminated)).contains("line 1, column");
            assertThat(detail(badValue)).contains("'nope'", "(at line 3, column");
        }
        assertThat(gateway.calls).isEmpty();
    }

    @Test
    void theForwardedBodyIsTheClientsFieldsExactlyWithTheLastOfARepeatedFieldWinning() throws Exception {
        String id = register(acmeKey);
        HttpResponse<String> response = send("POST", "/v1/instances/" + id + "/responses", acmeKey,
                "{\"model\":5,\"model\":\"openai/gpt-5.1\",\"stream\":\"yes\",\"stream\":false,\"input\":\"x\","
                        + "\"temperature\":0.10,\"max_output_tokens\":123456789012345678901234567890,\"n\":1e400}");
        assertThat(response.statusCode()).isEqualTo(200);
        var forwarded = gateway.calls.getLast().request();
        assertThat(forwarded.model()).contains("openai/gpt-5.1");
        assertThat(forwarded.stream()).isFalse();
        // Numbers pass as the client wrote them: no rounding through double, no "Infinity".
        assertThat(new String(forwarded.otherFieldsJson(), java.nio.charset.StandardCharsets.UTF_8))
                .doesNotContain("model")
                .contains("\"temperature\":0.10", "\"max_output_tokens\":123456789012345678901234567890")
                .doesNotContain("Infinity");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '~', value = {
            "{\"model\":\"m\",\"input\":\"x\"}|{\"input\":\"x\"}",
            "{\"input\":\"x\", \"model\" : \"m\" }|{\"input\":\"x\" }",
            "{ \"model\":null, \"input\":\"x\" }|{  \"input\":\"x\" }",
            "{\"input\":\"é\",\"model\":\"m\",\"stream\":false}|{\"input\":\"é\",\"stream\":false}",
            "{\"model\":{\"a\":[1]},\"input\":[{\"model\":\"nested\"}],\"model\":\"m\"}|{\"input\":[{\"model\":\"nested\"}]}",
            "{\"model\":\"a\",\"model\":\"b\",\"input\":\"x\"}|{\"input\":\"x\"}",
            "{\"input\":\"x\",\"model\":\"a\",\"model\":\"b\"}|{\"input\":\"x\"}",
            "{\"input\":\"x\" ,\"model\":\"a\", \"model\":\"b\",\"model\":\"c\" }|{\"input\":\"x\"  }",
            "{\"model\":\"a\",\"input\":\"x\",\"model\":\"b\"}|{\"input\":\"x\"}",
            "{\"input\":\"x\"}|{\"input\":\"x\"}"})
    void theForwardedBodyIsTheClientsOwnBytesWithoutItsModel(String body, String forwarded) throws Exception {
        String id = register(acmeKey);
        HttpResponse<String> response = send("POST", "/v1/instances/" + id + "/responses", acmeKey, body);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(new String(gateway.calls.getLast().request().otherFieldsJson(), java.nio.charset.StandardCharsets.UTF_8))
                .isEqualTo(forwarded);
    }

    @Test
    void whiteSpaceOrAByteOrderMarkAroundTheObjectIsNotForwarded() throws Exception {
        String id = register(acmeKey);
        for (String body : List.of("\n  {\"input\":\"x\",\"model\":\"m\"}\r\n", "\uFEFF{\"input\":\"x\",\"model\":\"m\"}")) {
            HttpResponse<String> response = send("POST", "/v1/instances/" + id + "/responses", acmeKey, body);
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(new String(gateway.calls.getLast().request().otherFieldsJson(), java.nio.charset.StandardCharsets.UTF_8))
                    .isEqualTo("{\"input\":\"x\"}");
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"C3 78", "FF", "ED A0 80", "ED A0 BD ED B8 80", "C0 80", "C1 BF", "E0 80 80", "F0 80 80 80", "F4 90 80 80",
            "F5 80 80 80", "E2 82"})
    void aStringThatIsNotUtf8IsA400ThoughItsTextIsNeverDecoded(String bytes) throws Exception {
        String id = register(acmeKey);
        HttpResponse<String> response = sendChunked("/v1/instances/" + id + "/responses", inputOf(bytes));
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(detail(response)).startsWith("Request body is not valid JSON");
        assertThat(gateway.calls).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"C3 A9", "E2 82 AC", "ED 9F BF", "EE 80 80", "F0 9F 98 80", "F4 8F BF BF"})
    void everyWellFormedUtf8SequenceIsForwardedAsItCame(String bytes) throws Exception {
        String id = register(acmeKey);
        HttpResponse<String> response = sendChunked("/v1/instances/" + id + "/responses", inputOf(bytes));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(gateway.calls.getLast().request().otherFieldsJson()).isEqualTo(inputOf(bytes));
    }

    @Test
    void aCharacterSplitBetweenTwoPartsIsWellFormedAndABodyInUtf16IsA400() throws Exception {
        String id = register(acmeKey);
        // The first part read of a chunked body is 4096 bytes: "é" (C3 A9) straddles its end.
        String input = "a".repeat(4096 - "{\"input\":\"".length() - 1) + "é";
        byte[] body = ("{\"input\":\"" + input + "\"}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(sendChunked("/v1/instances/" + id + "/responses", body).statusCode()).isEqualTo(200);
        assertThat(gateway.calls.getLast().request().otherFieldsJson()).isEqualTo(body);

        HttpResponse<String> utf16 = sendChunked("/v1/instances/" + id + "/responses",
                "{\"input\":\"x\",\"model\":\"a\"}".getBytes(java.nio.charset.StandardCharsets.UTF_16BE));
        assertThat(utf16.statusCode()).isEqualTo(400);
        assertThat(detail(utf16)).contains("must be UTF-8");
    }

    /**
     * An answer given before the body was read (a body over the limit, a bad key, an unknown instance) reaches a client
     * still sending that body: the connection is closed after it (said in {@code Connection: close}) and what the client
     * sends meanwhile is read and dropped, where closing on unread bytes would reset the connection and the answer with it.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "a body over the limit, 1048576, true, true, 413",
            "a wrong key, 60000, false, true, 401",
            "an unknown instance, 60000, true, false, 404",
            "a wrong key on a control-plane route, 60000, false, false, 401",
            "a body over the limit on a control-plane route, 1048576, true, false, 413"})
    void anAnswerBeforeTheBodyReachesAClientStillSendingIt(String what, int declared, boolean rightKey, boolean knownInstance, int status)
            throws Exception {
        String id = knownInstance ? register(acmeKey) : "no-such-instance";
        String path = what.contains("control-plane") ? "/v1/instances" : "/v1/instances/" + id + "/responses";
        String head = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Authorization: Bearer " + (rightKey ? acmeKey : "not-a-key") + "\r\nContent-Length: " + declared + "\r\n\r\n";
        byte[] body = new byte[declared];
        java.util.Arrays.fill(body, (byte) ' ');
        int first = 40_000;
        try (java.net.Socket socket = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), api.port())) {
            socket.setSoTimeout(30_000);
            java.io.OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            out.write(body, 0, first);
            out.flush();
            // The answer comes meanwhile; then the client sends the rest of its body, as a client that does not read while
            // it writes would.
            Thread.sleep(300);
            out.write(body, first, declared - first);
            out.flush();
            String answer = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);

            assertThat(answer).startsWith("HTTP/1.1 " + status + " ");
            assertThat(answer.toLowerCase(java.util.Locale.ROOT)).contains("\r\nconnection: close\r\n");
        }
        assertThat(gateway.calls).isEmpty();
    }

    /**
     * A client that waits for a 100 Continue before sending a body over the limit is sent none: it gets the 413 and the
     * connection closes at once, without waiting for a body that will never come; on a control-plane route too.
     */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aClientWaitingToSendABodyOverTheLimitGetsThe413AndTheConnectionEndsAtOnce(boolean responsesRoute) throws Exception {
        String path = responsesRoute ? "/v1/instances/" + register(acmeKey) + "/responses" : "/v1/instances";
        try (java.net.Socket socket = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), api.port())) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Content-Type: application/json\r\nAuthorization: Bearer " + acmeKey + "\r\nExpect: 100-continue\r\n"
                    + "Content-Length: 1048576\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            long sent = System.nanoTime();
            String answer = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);

            assertThat(answer).startsWith("HTTP/1.1 413 ").doesNotContain("100 Continue");
            assertThat(answer.toLowerCase(java.util.Locale.ROOT)).contains("\r\nconnection: close\r\n");
            // Closed once answered: not after a quiet client's timeout (UnreadBodyDrain.QUIET) or the connection's idle one.
            assertThat(java.time.Duration.ofNanos(System.nanoTime() - sent)).isLessThan(UnreadBodyDrain.QUIET);
        }
    }

    /** A client that stops sending a refused body has its answer, and the connection ends after a short quiet. */
    @Test
    void aClientThatGoesQuietWhileItsRefusedBodyIsDrainedIsCutOffAfterAShortQuiet() throws Exception {
        String id = register(acmeKey);
        try (java.net.Socket socket = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), api.port())) {
            // Longer than the quiet (5 s), shorter than the connection's idle timeout (30 s): only the quiet ends this.
            socket.setSoTimeout(20_000);
            java.io.OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/instances/" + id + "/responses HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Authorization: Bearer " + acmeKey + "\r\nContent-Length: 1048576\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            out.write(new byte[10_000]);
            out.flush();
            String answer = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);

            assertThat(answer).startsWith("HTTP/1.1 413 ");
            assertThat(answer.toLowerCase(java.util.Locale.ROOT)).contains("\r\nconnection: close\r\n");
        }
    }

    /**
     * A body is parsed as it arrives: one that is not JSON from its first bytes is refused while the client still sends
     * it, instead of after all of it came (here the client waits for its answer before sending more).
     */
    @Test
    @org.junit.jupiter.api.Timeout(60)
    void aBodyThatIsNotJsonIsRefusedBeforeTheClientHasSentAllOfIt() throws Exception {
        String id = register(acmeKey);
        try (java.net.Socket socket = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), api.port())) {
            socket.setSoTimeout(20_000);
            java.io.OutputStream out = socket.getOutputStream();
            String start = "{\"input\": nope " + " ".repeat(10_000);
            out.write(("POST /v1/instances/" + id + "/responses HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Authorization: Bearer " + acmeKey + "\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + Integer.toHexString(start.length()) + "\r\n" + start + "\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            out.flush();
            java.io.InputStream in = socket.getInputStream();
            java.io.ByteArrayOutputStream head = new java.io.ByteArrayOutputStream();
            while (!head.toString(java.nio.charset.StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                int b = in.read();
                assertThat(b).as("the connection closed before an answer's head: %s", head).isNotNegative();
                head.write(b);
            }
            String answerHead = head.toString(java.nio.charset.StandardCharsets.ISO_8859_1).toLowerCase(java.util.Locale.ROOT);
            int length = Integer.parseInt(answerHead.replaceAll("(?s).*\r\ncontent-length: (\\d+)\r\n.*", "$1"));
            String detail = new String(in.readNBytes(length), java.nio.charset.StandardCharsets.UTF_8);

            assertThat(answerHead).startsWith("http/1.1 400 ").contains("\r\nconnection: close\r\n");
            assertThat(detail).contains("Request body is not valid JSON");
        }
        assertThat(gateway.calls).isEmpty();
    }

    /** {@code {"input":"<bytes>"}}, the bytes given in hex. */
    private static byte[] inputOf(String hexBytes) {
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        body.writeBytes("{\"input\":\"".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        for (String hex : hexBytes.split(" ")) {
            body.write(Integer.parseInt(hex, 16));
        }
        body.writeBytes("\"}".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        return body.toByteArray();
    }

    @Test
    void aBodyWithoutALengthArrivesInPartsAndIsForwardedWhole() throws Exception {
        String id = register(acmeKey);
        // Sent chunked, so read in growing parts: the model's member and the comma before it lie in a later part.
        String input = "ü".repeat(6000);
        byte[] body = ("{\"input\":\"" + input + "\",\"model\":\"m\"}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        HttpResponse<String> response = sendChunked("/v1/instances/" + id + "/responses", body);
        assertThat(response.statusCode()).isEqualTo(200);
        var forwarded = gateway.calls.getLast().request();
        assertThat(forwarded.model()).contains("m");
        assertThat(forwarded.otherFields()).hasSizeGreaterThan(1);
        assertThat(new String(forwarded.otherFieldsJson(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("{\"input\":\"" + input + "\"}");
    }

    @Test
    void aBodyParsedInPlaceAndTheSameBodyReadInPartsAreAnsweredAlike() throws Exception {
        String id = register(acmeKey);
        String path = "/v1/instances/" + id + "/responses";
        // With its length declared, a body arrives as one part and is parsed where it lies; chunked, these arrive in
        // several parts (the first is 4096 bytes) and are parsed as a stream.
        String pad = "a".repeat(5000);
        for (String body : List.of("{\"input\":\"" + pad + "\",\"model\":\"m\",\"stream\":false}",
                "{\"input\":\"" + pad + "\",\n \"model\": nope}", "{\"input\":\"" + pad + "\"} {}", "{\"input\":\"" + pad + "\"")) {
            byte[] bytes = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            HttpResponse<String> inPlace = send("POST", path, acmeKey, body);
            HttpResponse<String> inParts = sendChunked(path, bytes);
            assertThat(inParts.statusCode()).as(body).isEqualTo(inPlace.statusCode());
            assertThat(inParts.body()).as(body).isEqualTo(inPlace.body());
        }
        assertThat(gateway.calls).hasSize(2);
        assertThat(gateway.calls.get(0).request().otherFieldsJson()).isEqualTo(gateway.calls.get(1).request().otherFieldsJson());
    }

    @Test
    void aBodyOverTheLimitIs413() throws Exception {
        String id = register(acmeKey);
        String big = "{\"input\":\"" + "x".repeat((int) MAX_BODY) + "\"}";
        // Sent as a careful client sends a large body (Expect: 100-continue): the 413 comes instead of the 100, and the body
        // is never sent. (A client that sends it anyway: anAnswerBeforeTheBodyReachesAClientStillSendingIt.)
        HttpResponse<String> response = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://127.0.0.1:" + api.port() + "/v1/instances/" + id + "/responses"))
                .expectContinue(true).POST(java.net.http.HttpRequest.BodyPublishers.ofString(big))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + acmeKey).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(detail(response)).contains("larger than the limit of 65536 bytes");
        // Without a declared length the limit holds as the parts arrive.
        byte[] undeclared = big.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        HttpResponse<String> chunked = sendChunked("/v1/instances/" + id + "/responses", undeclared);
        assertThat(chunked.statusCode()).isEqualTo(413);
        assertThat(detail(chunked)).contains("larger than the limit of 65536 bytes");
        assertThat(gateway.calls).isEmpty();
    }
}
