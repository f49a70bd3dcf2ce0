package chowder.e2e;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

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
    private static final long INSTALL_TIMEOUT_MINUTES = 15;
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
     * Runs the install script once per JVM (it returns at once when the install is complete) and returns
     * the install; throws {@link IllegalStateException} with the script's output when it fails.
     */
    public static synchronized OpenAiSdk locate() {
        if (located == null) {
            Path module = moduleDirectory();
            Path home = install(module.resolve(INSTALL_SCRIPT));
            located = new OpenAiSdk(home, OpenClawRuntime.locate().node(), module.resolve(CLIENT_SCRIPT));
        }
        return located;
    }

    /**
     * Calls {@code client.responses.create({model: "claude-sonnet-4-20250514", input, stream})} against
     * {@code baseUrl} with {@code apiKey}; throws {@link AssertionError} with the script's output when it
     * crashes or hangs (API errors are a {@link Result} with {@link Result#isApiError()}).
     */
    public Result createResponse(URI baseUrl, String apiKey, String input, boolean stream, Optional<String> instructions) {
        try {
            Path stdout = Files.createTempFile("openai-sdk", ".out");
            Path stderr = Files.createTempFile("openai-sdk", ".err");
            try {
                ProcessBuilder builder = new ProcessBuilder(node.toString(), script.toString())
                        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                        .redirectOutput(stdout.toFile())
                        .redirectError(stderr.toFile());
                Map<String, String> environment = builder.environment();
                environment.keySet().removeIf(name -> name.startsWith("OPENAI_") || name.startsWith("NODE_"));
                environment.put("OPENAI_SDK_DIR", home.toString());
                environment.put("BASE_URL", baseUrl.toString());
                environment.put("API_KEY", apiKey);
                environment.put("INPUT", input);
                environment.put("STREAM", Boolean.toString(stream));
                instructions.ifPresent(text -> environment.put("INSTRUCTIONS", text));
                Process process = builder.start();
                if (!process.waitFor(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                    throw new AssertionError("the OpenAI SDK call did not finish within " + CALL_TIMEOUT
                            + output(stdout, stderr));
                }
                String printed = Files.readString(stdout, UTF_8).strip();
                if (process.exitValue() != 0 && process.exitValue() != 2 || printed.isEmpty()) {
                    throw new AssertionError("the OpenAI SDK call exited with " + process.exitValue() + output(stdout, stderr));
                }
                return new Result(process.exitValue(), JSON.readTree(printed.lines().toList().getLast()),
                        Files.readString(stderr, UTF_8));
            } finally {
                Files.deleteIfExists(stdout);
                Files.deleteIfExists(stderr);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + script, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + script, e);
        }
    }

    /** The e2e module directory is Maven's basedir, which surefire also makes the working directory. */
    private static Path moduleDirectory() {
        Path basedir = Path.of(System.getProperty("basedir", "")).toAbsolutePath();
        for (Path candidate : List.of(basedir, basedir.resolve("e2e"))) {
            if (Files.isRegularFile(candidate.resolve(INSTALL_SCRIPT))) {
                return candidate;
            }
        }
        throw new IllegalStateException("cannot find " + INSTALL_SCRIPT + " under " + basedir
                + " or its e2e directory: run the tests from the e2e module or the repository root");
    }

    private static Path install(Path script) {
        try {
            Path stdout = Files.createTempFile("install-openai-sdk", ".out");
            Path stderr = Files.createTempFile("install-openai-sdk", ".err");
            try {
                Process process = new ProcessBuilder("bash", script.toString())
                        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                        .redirectOutput(stdout.toFile())
                        .redirectError(stderr.toFile())
                        .start();
                if (!process.waitFor(INSTALL_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly();
                    throw new IllegalStateException("OpenAI SDK install by " + script + " did not finish within "
                            + INSTALL_TIMEOUT_MINUTES + " minutes" + output(stdout, stderr));
                }
                List<String> lines = Files.readAllLines(stdout, UTF_8).stream().filter(line -> !line.isBlank()).toList();
                if (process.exitValue() != 0 || lines.isEmpty()) {
                    throw new IllegalStateException("OpenAI SDK install by " + script + " exited with "
                            + process.exitValue() + output(stdout, stderr));
                }
                return Path.of(lines.getLast().strip());
            } finally {
                Files.deleteIfExists(stdout);
                Files.deleteIfExists(stderr);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + script, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + script, e);
        }
    }

    private static String output(Path stdout, Path stderr) throws IOException {
        return "\n--- stdout ---\n" + Files.readString(stdout, UTF_8) + "\n--- stderr ---\n" + Files.readString(stderr, UTF_8);
    }
}
