package chowder.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs shell commands with a provisioned agent's own {@code exec} tool, as a tenant's message makes it do: the scripted
 * model answers the message with a call of the tool, then with the tool's output, which this returns. Only ever to an
 * agent confined in its sandbox: {@code kill -9 -1} from an unconfined root agent took every process of a test machine
 * down once.
 */
final class AgentShell {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicInteger SESSIONS = new AtomicInteger();

    private final ChowderProcess chowder;
    private final ChowderApi api;

    AgentShell(ChowderProcess chowder, ChowderApi api) {
        this.chowder = chowder;
        this.api = api;
    }

    /** What {@code command} printed, run by the agent of {@code instance} in a session of its own. */
    String run(String key, String instance, String command) {
        requireConfined(instance);
        String session = "shell-" + SESSIONS.incrementAndGet();
        HttpResponse<String> response = api.post(ChowderApi.sessionResponsesPath(instance, session), key,
                JSON.createObjectNode().put("model", "claude-sonnet-4-20250514").put("input", "run " + ModelScript.exec(command)).toString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        for (JsonNode item : ChowderApi.json(response.body()).path("output")) {
            for (JsonNode content : item.path("content")) {
                String text = content.path("text").asText("");
                // OpenClaw trims the answer: a command that printed nothing leaves the marker without its line break.
                String marker = ScriptedModelServer.TOOL_RESULT.strip();
                int start = text.indexOf(marker);
                if (start >= 0) {
                    return text.substring(start + marker.length()).replaceFirst("^\n", "");
                }
            }
        }
        throw new AssertionError("the agent of " + instance + " did not run the command: " + response.body());
    }

    /** Throws unless the instance's gateway runs as its sandbox's own uid: no command goes to an unconfined agent. */
    void requireConfined(String instance) {
        SandboxedInstance sandboxed = SandboxedInstance.of(chowder.dataDirectory(), instance);
        long uid = SandboxedInstance.uidOf(sandboxed.gateway());
        if (uid < 65_536 || uid != sandboxed.uid()) {
            throw new AssertionError("the gateway of " + instance + " runs as uid " + uid + ", not in its sandbox: no command is sent");
        }
    }
}
