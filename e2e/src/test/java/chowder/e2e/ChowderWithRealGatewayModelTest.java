package chowder.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

/**
 * What of a request reaches the model behind a real OpenClaw gateway, through Chowder ({@link GatewayPairEnvironment}):
 * the request's instructions, and the gateway's own model whatever model the client names.
 */
class ChowderWithRealGatewayModelTest extends GatewayPairTestBase {
    /** The backend model id the gateway's provider sends to the scripted model. */
    private static final String GATEWAY_BACKEND_MODEL = OpenClawGateway.MODEL.substring(OpenClawGateway.MODEL.indexOf('/') + 1);

    @Test
    void instructionsOfARequestReachTheModelsSystemPrompt() {
        ObjectNode withPersona = requestBody("echo-system:persona-7f3a who are you?")
                .put("instructions", "You are Captain persona-7f3a, a pirate.");
        ObjectNode withoutPersona = requestBody("echo-system:persona-7f3a who are you?");

        ScriptedReply instructed = replyOf(send(alphaId, "persona", withPersona));
        ScriptedReply plain = replyOf(send(alphaId, "no-persona", withoutPersona));

        assertThat(instructed.systemContainsMarker()).as(instructed.toString()).contains(true);
        assertThat(plain.systemContainsMarker()).as(plain.toString()).contains(false);
    }

    @Test
    void bareModelNameIsDroppedAndTheGatewaysModelAnswers() {
        JsonNode answer = send(alphaId, "model-field", requestBody("which model?"));
        RecordedModelRequest reachedModel = modelRequestWithLastText("which model?");

        assertThat(replyOf(answer).last()).isEqualTo("which model?");
        assertThat(reachedModel.conversation().model()).isEqualTo(GATEWAY_BACKEND_MODEL);
        // The gateway names the agent target it was asked for: what Chowder put in place of the client's model.
        assertThat(answer.path("model").asText()).isEqualTo("openclaw");
    }

    @Test
    void providerQualifiedModelSelectsTheGatewaysBackendModel() {
        ObjectNode body = requestBody("which qualified model?").put("model", OpenClawGateway.MODEL);

        JsonNode answer = send(alphaId, "model-qualified", body);

        assertThat(replyOf(answer).last()).isEqualTo("which qualified model?");
        assertThat(modelRequestWithLastText("which qualified model?").conversation().model()).isEqualTo(GATEWAY_BACKEND_MODEL);
    }
}
