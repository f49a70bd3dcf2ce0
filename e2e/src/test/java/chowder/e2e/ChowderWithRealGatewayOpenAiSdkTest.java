package chowder.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The official OpenAI SDK as a client of Chowder in front of a real OpenClaw gateway ({@link GatewayPairEnvironment}).
 */
class ChowderWithRealGatewayOpenAiSdkTest extends GatewayPairTestBase {
    @Test
    void openAiSdkTalksToTheDefaultSessionWithMemory() {
        URI baseUrl = URI.create(chowder.baseUrl() + "/v1/instances/" + betaId);

        ScriptedReply first = sdkReply(sdk.createResponse(baseUrl, organization.apiKey(), "sdk main one", false, Optional.empty()));
        ScriptedReply second = sdkReply(sdk.createResponse(baseUrl, organization.apiKey(), "sdk main two", false, Optional.empty()));

        // Other tests talk to beta's default session too: counts are relative.
        assertThat(first.last()).isEqualTo("sdk main one");
        assertThat(second.turns()).as(second.toString()).isEqualTo(first.turns() + 1);
        assertThat(second.first()).isEqualTo(first.first());
        assertThat(second.last()).isEqualTo("sdk main two");
    }

    @Test
    void openAiSdkTalksToANamedSessionWhoseIdNeedsEscaping() {
        String sessionId = "SDK user/7 café";
        URI baseUrl = URI.create(chowder.baseUrl() + "/v1/instances/" + betaId + "/session/" + ChowderApi.encodeSegment(sessionId));

        ScriptedReply first = sdkReply(sdk.createResponse(baseUrl, organization.apiKey(), "sdk named one", false, Optional.empty()));
        ScriptedReply second = sdkReply(sdk.createResponse(baseUrl, organization.apiKey(), "sdk named two", false, Optional.empty()));
        ScriptedReply sameSessionByHttp = turn(betaId, sessionId, "plain http in the sdk's session");

        assertThat(first.turns()).as(first.toString()).isEqualTo(1);
        assertThat(first.first()).isEqualTo("sdk named one");
        assertThat(second.turns()).as(second.toString()).isEqualTo(2);
        assertThat(second.first()).isEqualTo("sdk named one");
        assertThat(sameSessionByHttp.turns()).as(sameSessionByHttp.toString()).isEqualTo(3);
    }

    @Test
    void openAiSdkStreamsTheEventsOfANamedSession() {
        URI baseUrl = URI.create(chowder.baseUrl() + "/v1/instances/" + betaId + "/session/sdk-stream");

        OpenAiSdk.Result result = sdk.createResponse(baseUrl, organization.apiKey(), "sdk stream me", true, Optional.empty());

        assertThat(result.exitCode()).as(result.output() + result.stderr()).isZero();
        List<String> types = new ArrayList<>();
        result.output().path("events").forEach(type -> types.add(type.asText()));
        assertThat(types).startsWith("response.created").contains("response.output_text.delta").endsWith("response.completed");
        String deltas = result.output().path("deltas").asText();
        assertThat(result.output().path("completed_output_text").asText()).isEqualTo(deltas);
        ScriptedReply reply = ScriptedReply.parse(deltas);
        assertThat(reply.turns()).isEqualTo(1);
        assertThat(reply.first()).isEqualTo("sdk stream me");
    }

    @Test
    void openAiSdkSeesTheNotFoundOfAnotherOrganizationsInstance() {
        URI baseUrl = URI.create(chowder.baseUrl() + "/v1/instances/" + alphaId);

        OpenAiSdk.Result result = sdk.createResponse(baseUrl, otherOrganization.apiKey(), "not mine", false, Optional.empty());

        assertThat(result.isApiError()).as(result.output() + result.stderr()).isTrue();
        assertThat(result.output().at("/error/status").asInt()).isEqualTo(404);
    }

    private static ScriptedReply sdkReply(OpenAiSdk.Result result) {
        assertThat(result.exitCode()).as(result.output() + result.stderr()).isZero();
        assertThat(result.output().path("status").asText()).isEqualTo("completed");
        return ScriptedReply.parse(result.output().path("output_text").asText());
    }
}
