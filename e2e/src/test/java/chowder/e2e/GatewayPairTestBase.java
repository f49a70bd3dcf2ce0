package chowder.e2e;

import chowder.e2e.ChowderProcess.Organization;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The base of the {@code ChowderWithRealGateway*Test} classes: the one {@link GatewayPairEnvironment} of the run, its
 * parts under short names, and turns as the organization that owns both instances.
 */
@ExtendWith(GatewayPairEnvironment.Shared.class)
@Timeout(300)
abstract class GatewayPairTestBase {
    static GatewayPairEnvironment env;
    static GatewayTurns turns;
    static ChowderApi api;
    static ChowderProcess chowder;
    static ScriptedModelServer model;
    static OpenClawGateway alpha;
    static OpenClawGateway beta;
    static OpenAiSdk sdk;
    static String alphaId;
    static String betaId;
    static Organization organization;
    static Organization otherOrganization;

    /** Long enough for a first install of OpenClaw and the SDK (one to three minutes) on a slow network. */
    @BeforeAll
    @Timeout(value = 20, unit = TimeUnit.MINUTES)
    static void useTheSharedGateways(GatewayPairEnvironment environment) {
        env = environment;
        turns = environment.turns();
        api = turns.api();
        chowder = environment.chowder();
        model = environment.model();
        alpha = environment.alpha();
        beta = environment.beta();
        sdk = environment.sdk();
        alphaId = turns.alphaId();
        betaId = turns.betaId();
        organization = turns.organization();
        otherOrganization = environment.otherOrganization();
    }

    static ScriptedReply turn(String instanceId, String sessionId, String input) {
        return turns.turn(instanceId, sessionId, input);
    }

    static ScriptedReply turnInDefaultSession(String instanceId, String input) {
        return turns.turnInDefaultSession(instanceId, input);
    }

    static JsonNode send(String instanceId, String sessionId, ObjectNode body) {
        return turns.send(instanceId, sessionId, body);
    }

    static void expectStatus(HttpResponse<String> response, int status, OpenClawGateway gateway) {
        turns.expectStatus(response, status, gateway);
    }

    static ObjectNode requestBody(String input) {
        return GatewayTurns.requestBody(input);
    }

    static ScriptedReply replyOf(JsonNode response) {
        return GatewayTurns.replyOf(response);
    }

    static RecordedModelRequest modelRequestWithLastText(String input) {
        return turns.modelRequestWithLastText(input);
    }
}
