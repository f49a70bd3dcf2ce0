package chowder.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/** Checks the harness against one real gateway with plain HTTP calls, the way Chowder will call it. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
class GatewayHarnessTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TURN_TIMEOUT = Duration.ofSeconds(60);

    // The gateway answers an h2c upgrade attempt (the JDK client's default for http://) with 400 or 405.
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private ScriptedModelServer model;
    private OpenClawGateway gateway;

    @BeforeAll
    void startGateway() {
        model = ScriptedModelServer.start();
        gateway = OpenClawGateway.start(model);
    }

    @AfterAll
    void stopGateway() {
        if (gateway != null) {
            gateway.close();
        }
        if (model != null) {
            model.close();
        }
    }

    @Test
    void sessionKeyKeepsItsHistoryAndAnotherKeyStartsEmpty() throws Exception {
        JsonNode first = respond("chowder-0-user-42", "hello");
        ScriptedReply second = replyText(respond("chowder-0-user-42", "again"));
        ScriptedReply other = replyText(respond("chowder-0-_55ser-42", "hello"));

        assertThat(first.path("object").asText()).isEqualTo("response");
        assertThat(first.path("status").asText()).isEqualTo("completed");
        assertThat(first.at("/usage/input_tokens").asInt()).isPositive();
        ScriptedReply firstReply = replyText(first);
        assertThat(firstReply.turns()).as(firstReply.toString()).isEqualTo(1);
        assertThat(firstReply.first()).isEqualTo("hello");
        assertThat(firstReply.session()).isEqualTo("agent:main:chowder-0-user-42");
        assertThat(second.turns()).as(second.toString()).isEqualTo(2);
        assertThat(second.first()).isEqualTo("hello");
        assertThat(second.last()).isEqualTo("again");
        assertThat(other.turns()).as(other.toString()).isEqualTo(1);
        assertThat(other.session()).isEqualTo("agent:main:chowder-0-_55ser-42");
    }

    @Test
    void streamsResponseEventsAndEndsWithDone() throws Exception {
        HttpResponse<String> response = http.send(
                responsesRequest("chowder-0-streaming", body("hello").put("stream", true)),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("text/event-stream"));
        List<String> events = new ArrayList<>();
        List<String> data = new ArrayList<>();
        StringBuilder deltas = new StringBuilder();
        for (String line : response.body().lines().toList()) {
            if (line.startsWith("event: ")) {
                events.add(line.substring("event: ".length()));
            } else if (line.startsWith("data: ")) {
                data.add(line.substring("data: ".length()));
                if (line.contains("\"response.output_text.delta\"")) {
                    deltas.append(JSON.readTree(line.substring("data: ".length())).path("delta").asText());
                }
            }
        }
        assertThat(events).startsWith("response.created", "response.in_progress").endsWith("response.completed")
                .contains("response.output_text.delta", "response.output_text.done");
        assertThat(data.getLast()).isEqualTo("[DONE]");
        ScriptedReply reply = ScriptedReply.parse(deltas.toString());
        assertThat(reply.turns()).isEqualTo(1);
        assertThat(reply.first()).isEqualTo("hello");
    }

    @Test
    void keepsSessionKeysOfLowerCaseLettersDigitsDashAndUnderscoreVerbatim() throws Exception {
        List<String> keys = List.of("chowder-0-a_2fb", "chowder-12-x", "chowder-0-_55ser-7");
        for (String key : keys) {
            respond(key, "hello");
        }

        HttpResponse<String> listed = http.send(HttpRequest.newBuilder(gateway.baseUrl().resolve("/tools/invoke"))
                        .header("Authorization", "Bearer " + gateway.token())
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"tool\":\"sessions_list\",\"args\":{}}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(listed.statusCode()).as(listed.body()).isEqualTo(200);
        List<String> stored = JSON.readTree(listed.body()).at("/result/details/sessions").findValuesAsText("key");
        assertThat(stored).contains("agent:main:chowder-0-a_2fb", "agent:main:chowder-12-x", "agent:main:chowder-0-_55ser-7");
    }

    @Test
    void requestInstructionsReachTheModelsSystemPrompt() throws Exception {
        ObjectNode withInstructions = body("echo-system:marker-3c9d").put("instructions", "Mention marker-3c9d.");

        ScriptedReply reply = replyText(send("chowder-0-instructions", withInstructions));

        assertThat(reply.systemContainsMarker()).as(reply.toString()).contains(true);
    }

    private JsonNode respond(String sessionKey, String input) throws IOException, InterruptedException {
        return send(sessionKey, body(input));
    }

    private JsonNode send(String sessionKey, ObjectNode body) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(responsesRequest(sessionKey, body), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("%s\n%s", response.body(), gateway.logTail()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private HttpRequest responsesRequest(String sessionKey, ObjectNode body) {
        return HttpRequest.newBuilder(gateway.baseUrl().resolve("/v1/responses"))
                .timeout(TURN_TIMEOUT)
                .header("Authorization", "Bearer " + gateway.token())
                .header("Content-Type", "application/json")
                .header("x-openclaw-session-key", sessionKey)
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                .build();
    }

    private static ObjectNode body(String input) {
        return JSON.createObjectNode().put("model", "openclaw").put("input", input);
    }

    private static ScriptedReply replyText(JsonNode response) {
        return ScriptedReply.parse(response.at("/output/0/content/0/text").asText());
    }
}
