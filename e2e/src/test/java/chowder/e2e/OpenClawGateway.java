package chowder.e2e;

import static java.nio.charset.StandardCharsets.UTF_8;

import chowder.adapter.openclaw.provisioner.GatewayCommand;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One real OpenClaw gateway process on a free loopback port, with a private config, state directory and
 * workspace, a random token, and the scripted model as its only model ({@value #MODEL}); {@link #start}
 * returns once {@code GET /readyz} answers 200. Several can run at once. {@link #close()} stops the
 * process and all its descendants and waits for them; a JVM shutdown hook kills whatever is left.
 */
public final class OpenClawGateway implements AutoCloseable {
    /** The backend model of the gateway's agents, as {@code x-openclaw-model} would name it. */
    public static final String MODEL = "scripted/echo-1";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(180);
    private static final int LOG_TAIL_LINES = 80;
    private static final String CONSOLE_LOG = "gateway.log";
    private static final List<String> PORT_TAKEN = List.of("already listening");
    private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(30);
    // The gateway answers an h2c upgrade attempt (the JDK client's default for http://) with 400.
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private final Path directory;
    private final int port;
    private final String token;
    private final SupervisedProcess process;
    private volatile Duration startupTime;

    private OpenClawGateway(Path directory, int port, String token, SupervisedProcess process) {
        this.directory = directory;
        this.port = port;
        this.token = token;
        this.process = process;
    }

    /** Starts a gateway whose model is {@code modelServer}, with the install from {@link OpenClawRuntime#locate()}. */
    public static OpenClawGateway start(ScriptedModelServer modelServer) {
        return start(OpenClawRuntime.locate(), modelServer.baseUrl(), config -> {});
    }

    /**
     * Starts a gateway whose model provider calls {@code modelBaseUrl} (an OpenAI base URL ending in
     * {@code /v1}); {@code customizeConfig} may change the config object before it is written. Throws
     * {@link IllegalStateException} with the log tail when the gateway does not become ready.
     */
    public static OpenClawGateway start(OpenClawRuntime runtime, URI modelBaseUrl, Consumer<ObjectNode> customizeConfig) {
        return SupervisedProcess.startRetryingTakenPorts(() -> launch(runtime, modelBaseUrl, customizeConfig),
                gateway -> gateway.process, OpenClawGateway::awaitReady, PORT_TAKEN);
    }

    public URI baseUrl() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** The gateway token: full operator access to this gateway. */
    public String token() {
        return token;
    }

    /** The directory holding the config, state, workspace and logs; kept after stop for inspection. */
    public Path directory() {
        return directory;
    }

    public Path workspaceDirectory() {
        return directory.resolve("workspace");
    }

    /** Time from launching the process to the first {@code /readyz} answer of 200. */
    public Duration startupTime() {
        return startupTime;
    }

    /** The gateway process and every descendant seen so far, alive or not. */
    public Set<ProcessHandle> processes() {
        return process.processes();
    }

    /**
     * The full keys ({@code agent:main:<key>}) of the sessions the gateway holds now, from its own
     * {@code sessions_list} tool through {@code POST /tools/invoke}; throws {@link AssertionError} unless it answers 200.
     */
    public List<String> sessionKeys() {
        String call = JSON.createObjectNode().put("tool", "sessions_list")
                .set("args", JSON.createObjectNode().put("limit", 1000)).toString();
        HttpRequest request = HttpRequest.newBuilder(baseUrl().resolve("/tools/invoke"))
                .timeout(TOOL_TIMEOUT)
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(call, UTF_8))
                .build();
        try {
            HttpResponse<String> listed = HTTP.send(request, HttpResponse.BodyHandlers.ofString(UTF_8));
            if (listed.statusCode() != 200) {
                throw new AssertionError("sessions_list answered " + listed.statusCode() + ": " + listed.body()
                        + "\n--- gateway log tail ---\n" + logTail());
            }
            return JSON.readTree(listed.body()).at("/result/details/sessions").findValuesAsText("key");
        } catch (IOException e) {
            throw new UncheckedIOException("sessions_list on " + this + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during sessions_list on " + this, e);
        }
    }

    /** The last lines of the gateway's console output, colour codes removed. */
    public String logTail() {
        return process.logTail();
    }

    /**
     * Asks the gateway to shut down (SIGTERM), kills it and its descendants if they are still there after
     * a grace period, and returns when all have exited. Idempotent.
     */
    public void stop() {
        process.stop();
    }

    @Override
    public void close() {
        stop();
    }

    @Override
    public String toString() {
        return "OpenClawGateway[" + baseUrl() + ", pid " + process.pid() + ", " + directory + "]";
    }

    private static OpenClawGateway launch(OpenClawRuntime runtime, URI modelBaseUrl, Consumer<ObjectNode> customizeConfig) {
        try {
            Path directory = SupervisedProcess.newDirectory("openclaw-gateways", "chowder-e2e-gateways", "gateway-");
            int port = SupervisedProcess.freeLoopbackPort();
            String token = randomToken();
            Path configFile = directory.resolve("openclaw.json");
            ObjectNode config = config(port, token, modelBaseUrl, directory);
            customizeConfig.accept(config);
            Files.writeString(configFile, JSON.writeValueAsString(config), UTF_8);

            // Launched as Chowder's provisioner launches its gateways: the same command line and clean environment.
            ProcessBuilder builder = GatewayCommand.of(runtime.home(), directory, port, Map.of());
            Files.createDirectories(directory.resolve("state"));
            Files.createDirectories(directory.resolve("workspace"));
            Files.createDirectories(directory.resolve("home"));
            return new OpenClawGateway(directory, port, token,
                    SupervisedProcess.start(builder, directory.resolve(CONSOLE_LOG), LOG_TAIL_LINES));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot launch an OpenClaw gateway", e);
        }
    }

    private static ObjectNode config(int port, String token, URI modelBaseUrl, Path directory) {
        ObjectNode config = JSON.createObjectNode();
        ObjectNode gateway = config.putObject("gateway")
                .put("mode", "local")
                .put("port", port)
                .put("bind", "loopback");
        gateway.putObject("auth").put("mode", "token").put("token", token);
        gateway.putObject("http").putObject("endpoints").putObject("responses").put("enabled", true);
        // Otherwise each gateway copies 55 MB of dashboard assets into its state directory.
        gateway.putObject("controlUi").put("enabled", false);

        ObjectNode defaults = config.putObject("agents").putObject("defaults");
        defaults.putObject("model").put("primary", MODEL);
        defaults.put("workspace", directory.resolve("workspace").toString());

        ObjectNode models = config.putObject("models").put("mode", "replace");
        models.putObject("catalogRefresh").put("enabled", false);
        ObjectNode provider = models.putObject("providers").putObject(MODEL.substring(0, MODEL.indexOf('/')))
                .put("baseUrl", modelBaseUrl.toString())
                .put("apiKey", "scripted-model-key")
                .put("api", "openai-completions");
        ObjectNode model = provider.putArray("models").addObject()
                .put("id", MODEL.substring(MODEL.indexOf('/') + 1))
                .put("name", "Scripted echo")
                .put("reasoning", false)
                .put("contextWindow", 128_000)
                .put("maxTokens", 4096);
        model.putArray("input").add("text");
        model.putObject("cost").put("input", 0).put("output", 0).put("cacheRead", 0).put("cacheWrite", 0);

        // The bundled plugins (browser, canvas, voice, provider plugins, memory-core...) are not needed to
        // serve /v1/responses and /tools/invoke, and loading them slows startup. With them, the update
        // check and the model catalog refresh off, the gateway makes no call to the internet.
        config.putObject("plugins").put("enabled", false);
        config.putObject("update").put("checkOnStart", false);
        config.putObject("discovery").putObject("mdns").put("mode", "off");
        // The default file log is shared by every gateway on the host (/tmp/openclaw/openclaw-<date>.log).
        config.putObject("logging").put("file", directory.resolve("openclaw.log").toString());
        return config;
    }

    private void awaitReady() {
        URI readyz = baseUrl().resolve("/readyz");
        startupTime = process.awaitReady(toString(), READY_TIMEOUT, () -> SupervisedProcess.httpStatus(readyz) == 200);
    }

    private static String randomToken() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
