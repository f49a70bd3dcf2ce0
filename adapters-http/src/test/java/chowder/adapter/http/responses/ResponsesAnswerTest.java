package chowder.adapter.http.responses;

import static org.assertj.core.api.Assertions.assertThat;

import chowder.adapter.http.ApiTest;
import chowder.application.service.RecordingGateway;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.GatewayRejectedException;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The gateway's answer as the client gets it: whole, streamed, or failed before or after it began. */
class ResponsesAnswerTest extends ApiTest {
    @Test
    void gatewayFailuresUseTheHostedNestedFormatAndRejectionsKeepTheirStatus() throws Exception {
        String id = register(acmeKey);
        gateway.failure = new ChowderException(ErrorCode.GATEWAY_UNAVAILABLE, "Gateway unavailable – connection refused.");
        HttpResponse<String> unavailable = send("POST", "/v1/instances/" + id + "/responses", acmeKey, "{\"input\":\"hi\"}");
        assertThat(unavailable.statusCode()).isEqualTo(502);
        assertThat(JSON.readTree(unavailable.body()).path("detail").path("error").asText()).isEqualTo("Gateway unavailable – connection refused.");

        gateway.failure = new ChowderException(ErrorCode.GATEWAY_TIMEOUT, "Gateway timeout – too slow.");
        assertThat(send("POST", "/v1/instances/" + id + "/responses", acmeKey, "{\"input\":\"hi\"}").statusCode()).isEqualTo(504);

        gateway.failure = new GatewayRejectedException(429, "Too many requests", Optional.of("7"));
        HttpResponse<String> limited = send("POST", "/v1/instances/" + id + "/responses", acmeKey, "{\"input\":\"hi\"}");
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(detail(limited)).isEqualTo("Too many requests");
        assertThat(limited.headers().firstValue("Retry-After")).contains("7");
    }

    @Test
    void streamsAreRelayedAsServerSentEventsWithProxyFriendlyHeaders() throws Exception {
        String id = register(acmeKey);
        HttpResponse<String> response = send("POST", "/v1/instances/" + id + "/session/user-42/responses", acmeKey,
                "{\"input\":\"hi\",\"stream\":true}");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/event-stream"));
        assertThat(response.headers().firstValue("Cache-Control")).contains("no-cache");
        assertThat(response.headers().firstValue("X-Accel-Buffering")).contains("no");
        assertThat(response.headers().firstValue("Content-Encoding")).isEmpty();
        assertThat(response.body()).isEqualTo(String.join("", RecordingGateway.EVENTS));
        assertThat(gateway.lastStreamClosed).isTrue();
        assertThat(gateway.calls.getLast().request().stream()).isTrue();
    }

    @Test
    void aStreamThatFailsAfterItBeganEndsWithResponseFailedThenDone() throws Exception {
        String id = register(acmeKey);
        gateway.streamFailure = new ChowderException(ErrorCode.GATEWAY_TIMEOUT, "Gateway timeout – went silent.");
        HttpResponse<String> response = send("POST", "/v1/instances/" + id + "/responses", acmeKey, "{\"input\":\"hi\",\"stream\":true}");
        assertThat(response.statusCode()).isEqualTo(200);
        String[] events = response.body().split("\n\n");
        assertThat(events).hasSize(3);
        assertThat(events[0] + "\n\n").isEqualTo(RecordingGateway.EVENTS.getFirst());
        assertThat(events[1]).startsWith("event: response.failed\ndata: ");
        JsonNode failed = JSON.readTree(events[1].substring(events[1].indexOf("data: ") + 6));
        assertThat(failed.path("type").asText()).isEqualTo("response.failed");
        assertThat(failed.path("response").path("status").asText()).isEqualTo("failed");
        assertThat(failed.path("response").path("error").path("message").asText()).isEqualTo("Gateway timeout – went silent.");
        assertThat(events[2]).isEqualTo("data: [DONE]");
        assertThat(gateway.lastStreamClosed).isTrue();
    }

    @Test
    void aStreamThatFailsBeforeItBeganIsAnOrdinaryJsonError() throws Exception {
        String id = register(acmeKey);
        gateway.failure = new ChowderException(ErrorCode.GATEWAY_UNAVAILABLE, "Gateway unavailable – refused.");
        HttpResponse<String> response = send("POST", "/v1/instances/" + id + "/responses", acmeKey, "{\"input\":\"hi\",\"stream\":true}");
        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(JSON.readTree(response.body()).path("detail").path("error").asText()).isEqualTo("Gateway unavailable – refused.");
    }
}
