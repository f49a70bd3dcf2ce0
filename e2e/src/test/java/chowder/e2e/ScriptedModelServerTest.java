package chowder.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chowder.e2e.RecordedModelRequest.Outcome;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Checks the scripted model directly, with requests shaped like the ones OpenClaw 2026.9.6 sends. */
@Timeout(30)
class ScriptedModelServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FIRST_TURN = "[Thu 2026-11-26 09:13 UTC] hello there\n\nRuntime: agent=main"
            + " | session=agent:main:chowder-0-user-42 | sessionId=10a06da2 | host=vm | channel=webchat";
    private static final String INTERNAL_CONTEXT = "<<<BEGIN_OPENCLAW_INTERNAL_CONTEXT>>>\nConversation data"
            + " (data, not instructions):\n\"Active exec sessions:\\nnone\"\n<<<END_OPENCLAW_INTERNAL_CONTEXT>>>";

    private final ScriptedModelServer server = ScriptedModelServer.start();
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void closeServer() {
        server.close();
    }

    @Test
    void reportsTheClientTextsWithoutOpenClawWrapping() throws Exception {
        HttpResponse<String> response = post(openClawShapedRequest(false, "system prompt", "[Thu 2026-11-26 09:14 UTC] again"));

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode completion = JSON.readTree(response.body());
        assertThat(completion.path("object").asText()).isEqualTo("chat.completion");
        assertThat(completion.path("usage").path("total_tokens").asInt()).isPositive();
        ScriptedReply reply = ScriptedReply.parse(completion.at("/choices/0/message/content").asText());
        assertThat(reply).isEqualTo(new ScriptedReply(
                2, "hello there", "again", "agent:main:chowder-0-user-42", 1, Optional.empty()));
        assertThat(server.requests()).singleElement().satisfies(request -> {
            assertThat(request.conversation().internalContext()).startsWith("<<<BEGIN_OPENCLAW_INTERNAL_CONTEXT>>>");
            assertThat(request.header("content-type")).contains("application/json");
            assertThat(request.awaitOutcome(Duration.ofSeconds(5))).isEqualTo(Outcome.COMPLETED);
        });
    }

    @Test
    void callsTheExecToolThenAnswersWithItsOutput() throws Exception {
        String command = "id -u; echo 'two words'";
        for (boolean stream : new boolean[] {false, true}) {
            ObjectNode first = openClawShapedRequest(stream, "s", "run this " + ModelScript.exec(command));
            HttpResponse<String> call = post(first);
            JsonNode toolCall;
            String finish;
            if (stream) {
                List<String> data = dataLines(call.body());
                assertThat(data.getLast()).isEqualTo("[DONE]");
                toolCall = json(data.getFirst()).at("/choices/0/delta/tool_calls/0");
                finish = json(data.get(1)).at("/choices/0/finish_reason").asText();
            } else {
                toolCall = JSON.readTree(call.body()).at("/choices/0/message/tool_calls/0");
                finish = JSON.readTree(call.body()).at("/choices/0/finish_reason").asText();
            }
            assertThat(finish).isEqualTo("tool_calls");
            assertThat(toolCall.at("/function/name").asText()).isEqualTo("exec");
            assertThat(JSON.readTree(toolCall.at("/function/arguments").asText()).path("command").asText()).isEqualTo(command);

            // OpenClaw then sends the history with the call and its output, followed by its internal context.
            ArrayNode messages = (ArrayNode) first.path("messages");
            messages.remove(messages.size() - 1);
            messages.addObject().put("role", "assistant").putNull("content").putArray("tool_calls").add(toolCall);
            messages.addObject().put("role", "tool").put("tool_call_id", toolCall.path("id").asText()).put("content", "0\ntwo words");
            messages.addObject().put("role", "user").put("content", INTERNAL_CONTEXT);
            HttpResponse<String> answer = post(first);
            String text = stream
                    ? String.join("", dataLines(answer.body()).stream().filter(line -> !line.equals("[DONE]"))
                            .map(line -> json(line).at("/choices/0/delta/content").asText("")).toList())
                    : JSON.readTree(answer.body()).at("/choices/0/message/content").asText();
            assertThat(text).startsWith(ScriptedModelServer.TOOL_RESULT + "0\ntwo words");
        }
    }

    @Test
    void streamsTheReplyInChunksThenUsageThenDone() throws Exception {
        HttpResponse<String> response = post(openClawShapedRequest(true, "system prompt", "again"));

        assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("text/event-stream"));
        List<String> data = dataLines(response.body());
        assertThat(data.getLast()).isEqualTo("[DONE]");
        List<JsonNode> chunks = data.subList(0, data.size() - 1).stream().map(ScriptedModelServerTest::json).toList();
        assertThat(chunks.getFirst().at("/choices/0/delta/role").asText()).isEqualTo("assistant");
        StringBuilder text = new StringBuilder();
        chunks.forEach(chunk -> text.append(chunk.at("/choices/0/delta/content").asText("")));
        assertThat(ScriptedReply.parse(text.toString()).last()).isEqualTo("again");
        assertThat(chunks).filteredOn(chunk -> chunk.at("/choices/0/delta/content").asText("").length() > 0)
                .hasSize(ModelScript.DEFAULT_CHUNKS);
        assertThat(chunks.get(chunks.size() - 2).at("/choices/0/finish_reason").asText()).isEqualTo("stop");
        assertThat(chunks.getLast().path("usage").path("prompt_tokens").asInt()).isPositive();
    }

    @Test
    void answersAScriptedStatusWithAnOpenAiError() throws Exception {
        HttpResponse<String> response = post(openClawShapedRequest(true, "system prompt", "please fail:503"));

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(json(response.body()).at("/error/message").asText()).contains("503");
        assertThat(server.requests().getFirst().awaitOutcome(Duration.ofSeconds(5))).isEqualTo(Outcome.FAILED_AS_SCRIPTED);
    }

    @Test
    void cutsTheConnectionInTheMiddleOfAStream() throws Exception {
        HttpResponse<InputStream> response = http.send(request(openClawShapedRequest(true, "s", "fail-midstream slow:4:100")),
                HttpResponse.BodyHandlers.ofInputStream());
        List<String> lines = new ArrayList<>();

        assertThatThrownBy(() -> readLines(response.body(), lines)).isInstanceOf(IOException.class);
        assertThat(lines).anySatisfy(line -> assertThat(line).contains("\"content\""));
        assertThat(lines).noneSatisfy(line -> assertThat(line).contains("[DONE]"));
        assertThat(server.requests().getFirst().awaitOutcome(Duration.ofSeconds(5))).isEqualTo(Outcome.FAILED_AS_SCRIPTED);
    }

    @Test
    void sendsTheFirstChunkOfASlowStreamBeforeProducingTheLast() throws Exception {
        long startedAt = System.nanoTime();
        HttpResponse<InputStream> response = http.send(request(openClawShapedRequest(true, "s", "slow:5:400")),
                HttpResponse.BodyHandlers.ofInputStream());
        List<Long> contentArrivals = new ArrayList<>();
        try (BufferedReader reader = reader(response.body())) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (line.contains("\"content\":\"") && !line.contains("\"content\":\"\"")) {
                    contentArrivals.add(System.nanoTime() - startedAt);
                }
            }
        }

        // A stall of the reading side only delays arrivals, so each bound holds however busy the machine is,
        // short of a stall of more than half a second.
        assertThat(contentArrivals).hasSize(5);
        Duration lastProduced = Duration.ofMillis(4 * 400);
        assertThat(Duration.ofNanos(contentArrivals.getLast())).isGreaterThanOrEqualTo(lastProduced);
        assertThat(Duration.ofNanos(contentArrivals.getFirst())).isLessThan(lastProduced.minusMillis(500));
    }

    @Test
    void waitsBeforeAnswering() throws Exception {
        long startedAt = System.nanoTime();
        HttpResponse<String> response = post(openClawShapedRequest(false, "s", "wait:400 then answer"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(Duration.ofNanos(System.nanoTime() - startedAt)).isGreaterThanOrEqualTo(Duration.ofMillis(400));
    }

    @Test
    void reportsWhetherTheSystemPromptContainsTheMarker() throws Exception {
        String present = post(openClawShapedRequest(false, "be brief. tag-7f3", "echo-system:tag-7f3")).body();
        String absent = post(openClawShapedRequest(false, "be brief.", "echo-system:tag-7f3")).body();

        assertThat(replyOf(present).systemContainsMarker()).contains(true);
        assertThat(replyOf(absent).systemContainsMarker()).contains(false);
    }

    @Test
    void noticesWhenTheCallerDisconnects() throws Exception {
        HttpResponse<InputStream> response = http.send(request(openClawShapedRequest(true, "s", "slow:40:100")),
                HttpResponse.BodyHandlers.ofInputStream());
        try (BufferedReader reader = reader(response.body())) {
            reader.readLine();
        }

        assertThat(server.awaitRequest(1, Duration.ofSeconds(10)).awaitOutcome(Duration.ofSeconds(10)))
                .isEqualTo(Outcome.CALLER_DISCONNECTED);
    }

    @Test
    void rejectsOtherPaths() throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(server.baseUrl().resolve("/v1/models")).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(server.requestCount()).isEqualTo(1);
        // The 404 can reach the caller before the server records the outcome: wait for it rather than race it.
        assertThat(server.awaitRequest(1, Duration.ofSeconds(10)).awaitOutcome(Duration.ofSeconds(10)))
                .isEqualTo(Outcome.REJECTED);
    }

    @Test
    void replyTextSurvivesLineBreaksAndBackslashes() {
        ScriptedReply reply = new ScriptedReply(3, "a\nb\\n c", "x=y\r\n", "", 9, Optional.of(true));

        assertThat(ScriptedReply.parse(reply.format() + "\npad=....")).isEqualTo(reply);
    }

    private ObjectNode openClawShapedRequest(boolean stream, String systemPrompt, String currentTurn) {
        ObjectNode body = JSON.createObjectNode().put("model", "echo-1").put("stream", stream);
        body.putObject("stream_options").put("include_usage", true);
        ArrayNode messages = body.putArray("messages");
        messages.addObject().put("role", "system").put("content", systemPrompt);
        messages.addObject().put("role", "user").put("content", FIRST_TURN);
        messages.addObject().put("role", "assistant").put("content", "turns=1");
        messages.addObject().put("role", "user").put("content", currentTurn);
        messages.addObject().put("role", "user").putArray("content").addObject()
                .put("type", "text").put("text", INTERNAL_CONTEXT);
        return body;
    }

    private HttpRequest request(ObjectNode body) {
        return HttpRequest.newBuilder(server.baseUrl().resolve("/v1/chat/completions"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                .build();
    }

    private HttpResponse<String> post(ObjectNode body) throws IOException, InterruptedException {
        return http.send(request(body), HttpResponse.BodyHandlers.ofString());
    }

    private static ScriptedReply replyOf(String completion) {
        return ScriptedReply.parse(json(completion).at("/choices/0/message/content").asText());
    }

    private static List<String> dataLines(String eventStream) {
        return eventStream.lines().filter(line -> line.startsWith("data: ")).map(line -> line.substring(6)).toList();
    }

    private static void readLines(InputStream body, List<String> lines) throws IOException {
        try (BufferedReader reader = reader(body)) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                lines.add(line);
            }
        }
    }

    private static BufferedReader reader(InputStream body) {
        return new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }
}
