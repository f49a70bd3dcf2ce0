package chowder.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import chowder.testing.ScriptedGateway;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SIGTERM to a real Chowder process: in-flight streams finish, new connections are refused, exit code 0. */
class GracefulShutdownTest {
    private static final Pattern LISTENING = Pattern.compile("listening on [^:]+:(\\d+)");

    @TempDir
    Path dataDir;

    @Test
    void sigtermLetsAnInFlightStreamFinishThenExitsZero() throws Exception {
        List<String> events = List.of(
                "event: response.created\ndata: {\"type\":\"response.created\"}\n\n",
                "event: response.output_text.delta\ndata: {\"delta\":\"a\"}\n\n",
                "event: response.output_text.delta\ndata: {\"delta\":\"b\"}\n\n",
                "event: response.completed\ndata: {\"type\":\"response.completed\"}\n\n",
                "data: [DONE]\n\n");
        try (ScriptedGateway gateway = ScriptedGateway.start(ScriptedGateway.events(events, Duration.ofMillis(400), false))) {
            Map<String, String> env = Map.of("CHOWDER_DATA_DIR", dataDir.toString(), "CHOWDER_HTTP_HOST", "127.0.0.1",
                    "CHOWDER_HTTP_PORT", "0", "CHOWDER_SHUTDOWN_GRACE", "20s");
            String key;
            String instanceId;
            try (RunningChowder setup = new RunningChowder(dataDir, Map.of())) {
                key = setup.createOrganization("Acme").path("api_key").asText();
                instanceId = setup.registerInstance(key, gateway.baseUrl(), "token");
            }

            ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), Main.class.getName(), "serve");
            builder.environment().putAll(env);
            builder.redirectErrorStream(true);
            Process server = builder.start();
            try {
                BufferedReader log = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
                int port = awaitPort(log);
                CompletableFuture.runAsync(() -> log.lines().forEach(line -> { }));

                RawHttp client = new RawHttp(port);
                client.post("/v1/instances/" + instanceId + "/responses", key, "{\"input\":\"hi\",\"stream\":true}");
                client.readUntil("response.created");
                server.destroy();

                String rest = client.readUntil("data: [DONE]");
                assertThat(rest).contains("response.completed");
                assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
                assertThat(server.exitValue()).isZero();
                assertThat(refusesConnections(port)).isTrue();
            } finally {
                server.destroyForcibly();
            }
        }
    }

    private static int awaitPort(BufferedReader log) throws Exception {
        String line;
        while ((line = log.readLine()) != null) {
            Matcher matcher = LISTENING.matcher(line);
            if (matcher.find()) {
                return Integer.parseInt(matcher.group(1));
            }
        }
        throw new AssertionError("the server exited before listening");
    }

    private static boolean refusesConnections(int port) {
        try (Socket ignored = new Socket("127.0.0.1", port)) {
            return false;
        } catch (ConnectException refused) {
            return true;
        } catch (Exception other) {
            return false;
        }
    }
}
