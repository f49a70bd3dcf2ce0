package chowder.adapter.http.responses;

import static org.assertj.core.api.Assertions.assertThat;

import chowder.adapter.http.ApiTest;
import chowder.domain.SessionId;
import chowder.domain.SessionKey;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The two responses routes: the default session, named sessions and the session ids a path may carry. */
class ResponsesSessionRoutesTest extends ApiTest {
    @Test
    void theDefaultEndpointIsSessionMainAndRelaysTheGatewayAnswer() throws Exception {
        String id = register(acmeKey);
        HttpResponse<String> response = send("POST", "/v1/instances/" + id + "/responses", acmeKey,
                "{\"model\":\"claude-sonnet-4-20250514\",\"input\":\"Hey, remember me?\"}");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("{\"object\":\"response\"}");
        send("POST", "/v1/instances/" + id + "/session/main/responses", acmeKey, "{\"input\":\"again\"}");

        assertThat(gateway.calls).extracting(call -> call.sessionKey().value()).containsExactly("chowder-0-main", "chowder-0-main");
        var first = gateway.calls.getFirst().request();
        assertThat(first.model()).contains("claude-sonnet-4-20250514");
        assertThat(JSON.readTree(first.otherFieldsJson())).isEqualTo(JSON.readTree("{\"input\":\"Hey, remember me?\"}"));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "user-42|user-42",
            "User-42|User-42",
            "%20user-42|\" user-42\"",
            "a%2Fb|a/b",
            "a%2fb|a/b",
            "a+b|a+b",
            "caf%C3%A9|café",
            "cafe%CC%81|cafe\u0301",
            "%2E%2E|..",
            "%25|%",
            "~|~",
            "agent:main:x|agent:main:x",
            "%F0%9F%98%80|😀"})
    void namedSessionIdsArriveExactlyAsTheClientEncodedThem(String rawSegment, String expectedId) throws Exception {
        String id = register(acmeKey);
        HttpResponse<String> response = send("POST", "/v1/instances/" + id + "/session/" + rawSegment + "/responses", acmeKey,
                "{\"input\":\"hi\"}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(gateway.calls.getLast().sessionKey()).isEqualTo(SessionKey.forSession(SessionId.of(expectedId), 0));
    }

    @Test
    void theLongestSessionIdIsAcceptedAndOneMoreCodePointIsNot() throws Exception {
        String id = register(acmeKey);
        String longest = "%F0%9F%98%80".repeat(256);
        assertThat(send("POST", "/v1/instances/" + id + "/session/" + longest + "/responses", acmeKey, "{\"input\":\"hi\"}").statusCode())
                .isEqualTo(200);
        HttpResponse<String> tooLong = send("POST", "/v1/instances/" + id + "/session/" + "a".repeat(257) + "/responses", acmeKey,
                "{\"input\":\"hi\"}");
        assertThat(tooLong.statusCode()).isEqualTo(400);
        assertThat(detail(tooLong)).contains("1 to 256");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "%FF|UTF-8",
            "%C3|UTF-8",
            "%ED%A0%80|UTF-8",
            "a%00b|Bad request",
            "a%7Fb|control characters",
            "a%0Ab|control characters"})
    void invalidSessionIdsAreRejectedWithAClearMessage(String rawSegment, String message) throws Exception {
        String id = register(acmeKey);
        HttpResponse<String> response = send("POST", "/v1/instances/" + id + "/session/" + rawSegment + "/responses", acmeKey,
                "{\"input\":\"hi\"}");
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(detail(response)).as(response.body()).contains(message);
        assertThat(response.headers().firstValue("X-Request-Id")).as("refused by Jetty or by Chowder, the answer names the request")
                .hasValueSatisfying(requestId -> assertThat(requestId).matches("[0-9a-f]{32}"));
        assertThat(gateway.calls).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({"%zz", "abc%2", "a%G0"})
    void malformedPercentEscapesAre400InJson(String rawSegment) throws Exception {
        String id = register(acmeKey);
        String request = "POST /v1/instances/" + id + "/session/" + rawSegment + "/responses HTTP/1.1\r\n"
                + "Host: 127.0.0.1\r\nAuthorization: Bearer " + acmeKey + "\r\nContent-Type: application/json\r\n"
                + "Content-Length: 13\r\nConnection: close\r\n\r\n{\"input\":\"x\"}";
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", api.port())) {
            socket.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String answer = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(answer).startsWith("HTTP/1.1 400");
            JsonNode body = JSON.readTree(answer.substring(answer.indexOf("\r\n\r\n") + 4));
            assertThat(body.path("detail").asText()).as(answer).isNotBlank();
        }
        assertThat(gateway.calls).isEmpty();
    }
}
