package chowder.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import chowder.e2e.ChowderProcess.Organization;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns and API calls through Chowder on the instances of {@link GatewayPairEnvironment}'s gateways, as the
 * organization that owns them; a call answered with another status than expected fails with the tails of Chowder's
 * and the gateway's logs.
 */
final class GatewayTurns {
    static final String CLIENT_MODEL = "claude-sonnet-4-20250514";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration MODEL_REQUEST_WAIT = Duration.ofSeconds(10);

    private final ChowderProcess chowder;
    private final ChowderApi api;
    private final Organization organization;
    private final ScriptedModelServer model;
    private final Map<String, OpenClawGateway> gateways;
    private final String alphaId;
    private final String betaId;

    GatewayTurns(ChowderProcess chowder, ChowderApi api, Organization organization, ScriptedModelServer model,
            Map<String, OpenClawGateway> gateways, String alphaId, String betaId) {
        this.chowder = chowder;
        this.api = api;
        this.organization = organization;
        this.model = model;
        this.gateways = new ConcurrentHashMap<>(gateways);
        this.alphaId = alphaId;
        this.betaId = betaId;
    }

    ChowderApi api() {
        return api;
    }

    Organization organization() {
        return organization;
    }

    String alphaId() {
        return alphaId;
    }

    String betaId() {
        return betaId;
    }

    /** Registers {@code gateway} as an instance of the organization's and waits until it runs; its id. */
    String register(String name, OpenClawGateway gateway) {
        String id = api.registerInstance(organization.apiKey(), name, gateway.baseUrl(), gateway.token());
        gateways.put(id, gateway);
        api.awaitRunning(organization.apiKey(), id, Duration.ofSeconds(60));
        return id;
    }

    ScriptedReply turn(String instanceId, String sessionId, String input) {
        return replyOf(send(instanceId, sessionId, requestBody(input)));
    }

    ScriptedReply turnInDefaultSession(String instanceId, String input) {
        HttpResponse<String> response = api.post(ChowderApi.responsesPath(instanceId), organization.apiKey(),
                requestBody(input).toString());
        expectStatus(response, 200, gatewayOf(instanceId));
        return replyOf(ChowderApi.json(response.body()));
    }

    JsonNode send(String instanceId, String sessionId, ObjectNode body) {
        HttpResponse<String> response = api.post(ChowderApi.sessionResponsesPath(instanceId, sessionId),
                organization.apiKey(), body.toString());
        expectStatus(response, 200, gatewayOf(instanceId));
        return ChowderApi.json(response.body());
    }

    static ObjectNode requestBody(String input) {
        return JSON.createObjectNode().put("model", CLIENT_MODEL).put("input", input);
    }

    /** The scripted model's answer: the text of the first output message. */
    static ScriptedReply replyOf(JsonNode response) {
        for (JsonNode item : response.path("output")) {
            for (JsonNode part : item.path("content")) {
                if (part.path("type").asText().equals("output_text")) {
                    return ScriptedReply.parse(part.path("text").asText());
                }
            }
        }
        throw new AssertionError("no output text in " + response);
    }

    /** The model's request whose last user text is {@code input}, waiting a little for it to arrive. */
    RecordedModelRequest modelRequestWithLastText(String input) {
        Instant deadline = Instant.now().plus(MODEL_REQUEST_WAIT);
        while (Instant.now().isBefore(deadline)) {
            for (RecordedModelRequest request : model.requests()) {
                if (request.conversation().lastUserText().equals(input)) {
                    return request;
                }
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
        throw new AssertionError("the model received no request whose last user text is '" + input + "'");
    }

    OpenClawGateway gatewayOf(String instanceId) {
        OpenClawGateway gateway = gateways.get(instanceId);
        assertThat(gateway).as("the gateway of instance %s", instanceId).isNotNull();
        return gateway;
    }

    void expectStatus(HttpResponse<String> response, int status, OpenClawGateway gateway) {
        if (response.statusCode() != status) {
            throw new AssertionError(response.request().method() + " " + response.request().uri() + " answered "
                    + response.statusCode() + " instead of " + status + ": " + response.body()
                    + "\n--- Chowder log tail ---\n" + chowder.logTail()
                    + "\n--- gateway log tail ---\n" + gateway.logTail());
        }
    }
}
