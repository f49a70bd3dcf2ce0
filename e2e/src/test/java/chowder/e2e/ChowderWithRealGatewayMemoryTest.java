package chowder.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The hosted API's two example requests and a session's memory, through Chowder in front of a real OpenClaw gateway
 * ({@link GatewayPairEnvironment}).
 */
class ChowderWithRealGatewayMemoryTest extends GatewayPairTestBase {
    @Test
    void answersTheHostedApisTwoExampleRequestsWithOpenResponsesObjects() {
        String body = "{\"model\": \"claude-sonnet-4-20250514\", \"input\": \"Hey, remember me?\"}";

        HttpResponse<String> defaultSession = api.post(ChowderApi.responsesPath(betaId), organization.apiKey(), body);
        HttpResponse<String> namedSession = api.post(
                "/v1/instances/" + betaId + "/session/user-42/responses", organization.apiKey(), body);

        for (HttpResponse<String> response : List.of(defaultSession, namedSession)) {
            expectStatus(response, 200, beta);
            assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("application/json"));
            JsonNode json = ChowderApi.json(response.body());
            assertThat(json.path("object").asText()).isEqualTo("response");
            assertThat(json.path("status").asText()).isEqualTo("completed");
            assertThat(json.path("id").asText()).isNotBlank();
            assertThat(json.at("/usage/input_tokens").asInt()).isPositive();
            assertThat(replyOf(json).last()).isEqualTo("Hey, remember me?");
        }
        ScriptedReply named = replyOf(ChowderApi.json(namedSession.body()));
        assertThat(named.turns()).as(named.toString()).isEqualTo(1);
        assertThat(named.session()).isNotEqualTo(replyOf(ChowderApi.json(defaultSession.body())).session());
    }

    // --- Memory --------------------------------------------------------------------------------------

    @Test
    void secondTurnOfASessionSeesTheFirst() {
        ScriptedReply first = turn(betaId, "memory-1", "my name is Ada");
        ScriptedReply second = turn(betaId, "memory-1", "what is my name?");

        assertThat(first.turns()).as(first.toString()).isEqualTo(1);
        assertThat(second.turns()).as(second.toString()).isEqualTo(2);
        assertThat(second.first()).isEqualTo("my name is Ada");
        assertThat(second.last()).isEqualTo("what is my name?");
        assertThat(second.session()).isEqualTo(first.session());
    }

    @Test
    void defaultEndpointAndTheMainSessionShareOneHistory() {
        // Other tests talk to beta's default session too, so the counts are relative to this test's first turn.
        ScriptedReply viaDefault = turnInDefaultSession(betaId, "main via the default endpoint");
        ScriptedReply viaMain = turn(betaId, "main", "main via its name");
        ScriptedReply viaDefaultAgain = turnInDefaultSession(betaId, "main via the default endpoint again");

        assertThat(viaDefault.last()).isEqualTo("main via the default endpoint");
        assertThat(viaMain.turns()).as(viaMain.toString()).isEqualTo(viaDefault.turns() + 1);
        assertThat(viaMain.first()).isEqualTo(viaDefault.first());
        assertThat(viaMain.session()).isEqualTo(viaDefault.session());
        assertThat(viaDefaultAgain.turns()).as(viaDefaultAgain.toString()).isEqualTo(viaDefault.turns() + 2);
        assertThat(viaDefaultAgain.session()).isEqualTo(viaDefault.session());
    }
}
