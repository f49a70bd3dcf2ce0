package chowder.e2e;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The official OpenAI JavaScript SDK (npm package {@code openai}), installed by
 * {@code e2e/scripts/install-openai-sdk.sh} into a cache outside the repository and run with the Node of the
 * OpenClaw install through {@code e2e/src/test/node/responses.mjs}. {@link #locate()} fails loudly instead
 * of skipping when the SDK cannot be had.
 *
 * @param home the install directory, holding {@code node_modules/openai}
 * @param node the Node binary (22 or newer) that runs the SDK
 * @param script the {@code responses.mjs} client script
 */
public record OpenAiSdk(Path home, Path node, Path script) {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path INSTALL_SCRIPT = Path.of("scripts", "install-openai-sdk.sh");
    private static final Path CLIENT_SCRIPT = Path.of("src", "test", "node", "responses.mjs");
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(120);
    private static OpenAiSdk located;

    public OpenAiSdk {
        requireNonNull(home, "home is null");
        requireNonNull(node, "node is null");
        requireNonNull(script, "script is null");
        for (Path required : List.of(home.resolve("node_modules/openai/package.json"), node, script)) {
            if (!Files.isRegularFile(required)) {
                throw new IllegalArgumentException("not an OpenAI SDK install, missing " + required);
            }
        }
    }

    /** One SDK call's outcome: its exit code and the JSON it printed. */
    public record Result(int exitCode, JsonNode output, String stderr) {
        /** The SDK call failed with an API error (exit code 2, {@code {"error": {...}}}). */
        public boolean isApiError() {
            return exitCode == 2;
        }
    }

    /**
     * Runs the install script once per JVM (it returns at once when the install is complete) with the Node of
     * {@link OpenClawRuntime#locate()} and returns the install; throws {@link IllegalStateException} with the script's
     * output when it fails.
     */
    public static synchronized OpenAiSdk locate() {
        if (located == null) {
            Path client = InstallScript.moduleFile(CLIENT_SCRIPT);
            OpenClawRuntime openClaw = OpenClawRuntime.locate();
            located = InstallScript.run(InstallScript.moduleFile(INSTALL_SCRIPT), Map.of("NODE_BIN", openClaw.nodeBinDirectory().toString()),
                    "OpenAI SDK", home -> new OpenAiSdk(home, openClaw.node(), client));
        }
        return located;
    }

    /**
     * Calls {@code client.responses.create({model: "claude-sonnet-4-20250514", input, stream})} against
     * {@code baseUrl} with {@code apiKey}; throws {@link AssertionError} with the script's output when it
     * crashes or hangs (API errors are a {@link Result} with {@link Result#isApiError()}).
     */
    public Result createResponse(URI baseUrl, String apiKey, String input, boolean stream, Optional<String> instructions) {
        ProcessBuilder builder = new ProcessBuilder(node.toString(), script.toString());
        Map<String, String> environment = builder.environment();
        environment.keySet().removeIf(name -> name.startsWith("OPENAI_") || name.startsWith("NODE_"));
        environment.put("OPENAI_SDK_DIR", home.toString());
        environment.put("BASE_URL", baseUrl.toString());
        environment.put("API_KEY", apiKey);
        environment.put("INPUT", input);
        environment.put("STREAM", Boolean.toString(stream));
        instructions.ifPresent(text -> environment.put("INSTRUCTIONS", text));
        CommandRun call = CommandRun.runCapturing(builder, "openai-sdk", CALL_TIMEOUT);
        if (call.timedOut()) {
            throw new AssertionError("the OpenAI SDK call did not finish within " + CALL_TIMEOUT + call.output());
        }
        List<String> printed = call.stdoutLines();
        if (call.exitCode() != 0 && call.exitCode() != 2 || printed.isEmpty()) {
            throw new AssertionError("the OpenAI SDK call exited with " + call.exitCode() + call.output());
        }
        try {
            return new Result(call.exitCode(), JSON.readTree(printed.getLast()), call.stderr());
        } catch (IOException e) {
            throw new AssertionError("the OpenAI SDK call printed no JSON" + call.output(), e);
        }
    }
}
