package chowder.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Chowder's answer for a real OpenClaw gateway that is gone ({@link GatewayPairEnvironment}). The test stops a gateway
 * of its own, started for it, so that the shared ones serve every other test whatever the order.
 */
class ChowderWithRealGatewayGoneTest extends GatewayPairTestBase {

    @Test
    void stoppedGatewayIsA502InTheHostedFormatThatNeverShowsTheGatewayToken() {
        try (OpenClawGateway doomed = OpenClawGateway.start(model)) {
            String doomedId = turns.register("doomed", doomed);
            assertThat(turn(doomedId, "last-words", "still there?").last()).isEqualTo("still there?");
            doomed.stop();

            HttpResponse<String> plain = api.post(ChowderApi.responsesPath(doomedId), organization.apiKey(),
                    requestBody("anyone there?").toString());
            HttpResponse<String> streamed = api.post(ChowderApi.sessionResponsesPath(doomedId, "last-words"),
                    organization.apiKey(), requestBody("anyone there?").put("stream", true).toString());

            for (HttpResponse<String> answer : List.of(plain, streamed)) {
                expectStatus(answer, 502, doomed);
                assertThat(answer.headers().firstValue("content-type")).hasValueSatisfying(
                        type -> assertThat(type).startsWith("application/json"));
                JsonNode detail = ChowderApi.json(answer.body()).path("detail");
                assertThat(detail.isObject()).as(answer.body()).isTrue();
                assertThat(detail.path("error").asText()).as(answer.body()).startsWith("Gateway unavailable – ");
                assertThat(answer.body()).doesNotContain(doomed.token());
                assertThat(answer.headers().map().toString()).doesNotContain(doomed.token());
            }
            for (OpenClawGateway gateway : List.of(alpha, beta, doomed)) {
                assertThat(chowder.log()).as("Chowder's log").doesNotContain(gateway.token());
            }
        }
    }
}
