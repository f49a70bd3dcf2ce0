package chowder.bootstrap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** A Chowder wired by the real injector on a data directory of its own, listening on a free loopback port. */
final class RunningChowder implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, String> env;
    private final ChowderRuntime runtime;
    private final HttpClient client = HttpClient.newHttpClient();

    RunningChowder(Path dataDir, Map<String, String> extraEnv) throws Exception {
        env = new HashMap<>(Map.of("CHOWDER_DATA_DIR", dataDir.toString(), "CHOWDER_HTTP_HOST", "127.0.0.1", "CHOWDER_HTTP_PORT", "0"));
        env.putAll(extraEnv);
        if ("local".equals(env.get("CHOWDER_PROVISIONER")) && !env.containsKey("CHOWDER_MODEL_PROVIDERS")) {
            // A provisioned instance needs a provider its organization can use: here the operator's, needing no key (a
            // local vLLM, say), which none of these tests ever calls.
            Path providers = Files.createDirectories(dataDir).resolve("models.json");
            Files.writeString(providers, "{\"providers\": {\"local\": {\"base_url\": \"http://127.0.0.1:9/v1\", \"models\": [\"m\"]}}}");
            env.put("CHOWDER_MODEL_PROVIDERS", providers.toString());
        }
        runtime = ChowderRuntime.create(ChowderConfig.fromEnvironment(env), env).startServer();
    }

    Map<String, String> env() {
        return Map.copyOf(env);
    }

    /** A part of the running application, for tests that watch it from inside (the SQL it runs, say). */
    <T> T component(Class<T> type) {
        return runtime.get(type);
    }

    int port() {
        return runtime.httpPort();
    }

    /** Runs {@code chowder org create} as an operator would and returns its JSON output. */
    JsonNode createOrganization(String name) throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(new String[] {"org", "create", "--name", name}, env, new PrintWriter(out), new PrintWriter(err));
        if (exit != 0) {
            throw new AssertionError("org create failed: " + err);
        }
        return JSON.readTree(out.toString());
    }

    String registerInstance(String key, URI gatewayUrl, String token) throws Exception {
        HttpResponse<String> created = send("POST", "/v1/instances", key, JSON.createObjectNode()
                .put("name", "gateway").put("gateway_url", gatewayUrl.toString()).put("gateway_token", token).toString());
        if (created.statusCode() != 201) {
            throw new AssertionError("registration failed: " + created.body());
        }
        return JSON.readTree(created.body()).path("id").asText();
    }

    HttpResponse<String> send(String method, String path, String key, String body) throws Exception {
        return send(method, path, key, body, Map.of());
    }

    /** {@code headers} are added, or replace the default JSON Content-Type. */
    HttpResponse<String> send(String method, String path, String key, String body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json")
                // A stalled server fails the test instead of hanging the build.
                .timeout(java.time.Duration.ofSeconds(60));
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        headers.forEach(request::setHeader);
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() {
        runtime.close();
    }
}
