package chowder.e2e;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
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
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration STOP_GRACE = Duration.ofSeconds(15);
    private static final Duration KILL_WAIT = Duration.ofSeconds(5);
    private static final int START_ATTEMPTS = 3;
    private static final int LOG_TAIL_LINES = 80;
    private static final String CONSOLE_LOG = "gateway.log";
    private static final Set<OpenClawGateway> RUNNING = ConcurrentHashMap.newKeySet();
    // The gateway answers an h2c upgrade attempt (the JDK client's default for http://) with 400.
    private static final HttpClient PROBE = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(1))
            .build();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(
                () -> RUNNING.forEach(OpenClawGateway::kill), "openclaw-gateway-reaper"));
    }

    private final Path directory;
    private final int port;
    private final String token;
    private final Process process;
    private final long launchedAtNanos;
    private final Set<ProcessHandle> seenProcesses = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean stopped = new AtomicBoolean();
    private volatile Duration startupTime;

    private OpenClawGateway(Path directory, int port, String token, Process process, long launchedAtNanos) {
        this.directory = directory;
        this.port = port;
        this.token = token;
        this.process = process;
        this.launchedAtNanos = launchedAtNanos;
        seenProcesses.add(process.toHandle());
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
        IllegalStateException failure = null;
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            OpenClawGateway gateway = launch(runtime, modelBaseUrl, customizeConfig);
            try {
                gateway.awaitReady();
                return gateway;
            } catch (IllegalStateException e) {
                gateway.stop();
                failure = e;
                // The port was free when chosen but another process may have taken it before the bind.
                if (!gateway.logTail().contains("already listening")) {
                    throw e;
                }
            }
        }
        throw failure;
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
        refreshSeenProcesses();
        return Set.copyOf(seenProcesses);
    }

    /** The last lines of the gateway's console output, colour codes removed. */
    public String logTail() {
        try {
            List<String> lines = new String(Files.readAllBytes(consoleLog()), UTF_8).lines().toList();
            return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()))
                    .replaceAll("\u001B\\[[0-9;]*m", "");
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /**
     * Asks the gateway to shut down (SIGTERM), kills it and its descendants if they are still there after
     * a grace period, and returns when all have exited. Idempotent.
     */
    public void stop() {
        if (!stopped.compareAndSet(false, true)) {
            return;
        }
        refreshSeenProcesses();
        process.destroy();
        try {
            process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        kill();
        RUNNING.remove(this);
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
            Path directory = Files.createTempDirectory(gatewaysDirectory(), "gateway-");
            int port = freeLoopbackPort();
            String token = randomToken();
            Path configFile = directory.resolve("openclaw.json");
            ObjectNode config = config(port, token, modelBaseUrl, directory);
            customizeConfig.accept(config);
            Files.writeString(configFile, JSON.writeValueAsString(config), UTF_8);

            ProcessBuilder builder = new ProcessBuilder(runtime.node().toString(), runtime.openClawEntry().toString(),
                    "gateway", "--port", Integer.toString(port), "--bind", "loopback")
                    .directory(directory.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(directory.resolve(CONSOLE_LOG).toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
            environment(builder.environment(), runtime, configFile, directory);
            Files.createDirectories(directory.resolve("state"));
            Files.createDirectories(directory.resolve("workspace"));
            Files.createDirectories(directory.resolve("home"));
            long launchedAt = System.nanoTime();
            OpenClawGateway gateway = new OpenClawGateway(directory, port, token, builder.start(), launchedAt);
            RUNNING.add(gateway);
            return gateway;
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

    private static void environment(Map<String, String> environment, OpenClawRuntime runtime, Path configFile,
            Path directory) {
        environment.keySet().removeIf(name -> name.startsWith("OPENCLAW_") || name.startsWith("NODE_"));
        environment.put("PATH", runtime.nodeBinDirectory() + ":" + environment.getOrDefault("PATH", "/usr/bin:/bin"));
        environment.put("OPENCLAW_CONFIG_PATH", configFile.toString());
        environment.put("OPENCLAW_STATE_DIR", directory.resolve("state").toString());
        environment.put("OPENCLAW_HOME", directory.resolve("home").toString());
        // Documented in docs/gateway/embedding.md for a supervised, control-plane-only gateway child.
        environment.put("OPENCLAW_SKIP_CHANNELS", "1");
        environment.put("OPENCLAW_DISABLE_BONJOUR", "1");
        environment.put("OPENCLAW_NO_RESPAWN", "1");
        environment.put("OPENCLAW_EXEC_SHELL_SNAPSHOT", "0");
        environment.put("OPENCLAW_NO_AUTO_UPDATE", "1");
        environment.put("OPENCLAW_SKIP_CRON", "1");
        environment.put("DO_NOT_TRACK", "1");
    }

    private void awaitReady() {
        long deadline = launchedAtNanos + READY_TIMEOUT.toNanos();
        HttpRequest readyz = HttpRequest.newBuilder(baseUrl().resolve("/readyz")).timeout(Duration.ofSeconds(2)).build();
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException(this + " exited with " + process.exitValue()
                        + " before it was ready; log tail:\n" + logTail());
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException(this + " not ready within " + READY_TIMEOUT + "; log tail:\n" + logTail());
            }
            try {
                if (PROBE.send(readyz, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    startupTime = Duration.ofNanos(System.nanoTime() - launchedAtNanos);
                    refreshSeenProcesses();
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + this, e);
            }
            sleep(Duration.ofMillis(100));
        }
    }

    /** Descendants can only be found while their parents live, so they are remembered whenever seen. */
    private void refreshSeenProcesses() {
        process.descendants().forEach(seenProcesses::add);
    }

    private void kill() {
        refreshSeenProcesses();
        Set<ProcessHandle> tree = new LinkedHashSet<>(seenProcesses);
        tree.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle handle : tree) {
            try {
                handle.onExit().get(KILL_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (ExecutionException | TimeoutException e) {
                // reported by the caller's assertions on processes(), if it cares
            }
        }
    }

    private static Path gatewaysDirectory() throws IOException {
        Path target = Path.of(System.getProperty("basedir", "")).toAbsolutePath().resolve("target");
        Path parent = Files.isDirectory(target) ? target.resolve("openclaw-gateways")
                : Path.of(System.getProperty("java.io.tmpdir"), "chowder-e2e-gateways");
        return Files.createDirectories(parent);
    }

    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static String randomToken() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private Path consoleLog() {
        return directory.resolve(CONSOLE_LOG);
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
