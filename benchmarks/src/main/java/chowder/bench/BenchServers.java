package chowder.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Starts what a benchmark run measures, on loopback: the upstream, nginx, Jetty's own proxy, Chowder and Portkey, each a
 * process of its own.
 */
final class BenchServers {
    static final String UPSTREAM_TOKEN = "bench-upstream-token";
    /** The name of the reference target {@link JettyProxy} in results and tables. */
    static final String JETTY_PROXY = "jetty-proxy";
    /** Chowder's JVM options in every run (documented in docs/perf.md). */
    static final List<String> CHOWDER_JVM = List.of("-Xms256m", "-Xmx1g", "-XX:+UseG1GC",
            "-XX:+UnlockDiagnosticVMOptions", "-XX:+DebugNonSafepoints", "--sun-misc-unsafe-memory-access=allow");
    static final List<String> UPSTREAM_JVM = List.of("-Xms256m", "-Xmx1g", "-XX:+UseParallelGC");

    /** A target that is a JVM (Chowder, Jetty's proxy), and its process id for the JVM probes. */
    record JvmServer(Target target, long pid) {}

    private final Processes processes;
    private final Path work;
    private final Path benchJar;
    private final Map<String, String> options;

    BenchServers(Processes processes, Path work, Path benchJar, Map<String, String> options) {
        this.processes = processes;
        this.work = work;
        this.benchJar = benchJar;
        this.options = options;
    }

    int startUpstream() throws Exception {
        JvmPort upstream = startBenchClass("upstream", UPSTREAM_JVM, Upstream.class, "0");
        BenchmarkRun.log("upstream on " + upstream.port());
        return upstream.port();
    }

    /** A main class of this jar in a JVM of its own with {@code jvm} options, once it prints {@code PORT n}. */
    private JvmPort startBenchClass(String name, List<String> jvm, Class<?> main, String... arguments) throws Exception {
        CompletableFuture<Integer> port = new CompletableFuture<>();
        List<String> command = new ArrayList<>(List.of(Processes.JAVA));
        command.addAll(jvm);
        command.addAll(List.of("-cp", benchJar.toString(), main.getName()));
        command.addAll(List.of(arguments));
        long pid = processes.start(name, command, Map.of(), line -> {
            if (line.startsWith("PORT ")) {
                port.complete(Integer.parseInt(line.substring(5).trim()));
            }
        }).pid();
        return new JvmPort(port.get(60, TimeUnit.SECONDS), pid);
    }

    private record JvmPort(int port, long pid) {}

    Target startNginx(int upstreamPort) throws Exception {
        int port = Processes.freePort();
        Path dir = Files.createDirectories(work.resolve("nginx"));
        for (String temp : List.of("body", "proxy", "fastcgi", "uwsgi", "scgi")) {
            Files.createDirectories(dir.resolve(temp));
        }
        String config = """
                %s
                worker_processes auto;
                worker_rlimit_nofile 20000;
                daemon off;
                pid %s/nginx.pid;
                error_log %s/error.log warn;
                events { worker_connections 16000; }
                http {
                  access_log off;
                  client_body_temp_path %s/body;
                  proxy_temp_path %s/proxy;
                  fastcgi_temp_path %s/fastcgi;
                  uwsgi_temp_path %s/uwsgi;
                  scgi_temp_path %s/scgi;
                  client_max_body_size 32m;
                  keepalive_requests 10000000;
                  upstream gateway { server 127.0.0.1:%d; keepalive 256; keepalive_requests 10000000; }
                  server {
                    listen 127.0.0.1:%d;
                    location / {
                      proxy_pass http://gateway;
                      proxy_http_version 1.1;
                      proxy_set_header Connection "";
                      proxy_request_buffering off;
                      proxy_read_timeout 300s;
                    }
                  }
                }
                """.formatted("root".equals(System.getProperty("user.name")) ? "user root;" : "", dir, dir, dir, dir, dir, dir, dir,
                upstreamPort, port);
        Path file = dir.resolve("nginx.conf");
        Files.writeString(file, config);
        processes.start("nginx", List.of(options.getOrDefault("nginx", "nginx"), "-p", dir.toString(), "-c", file.toString()), Map.of(), line -> {});
        Processes.awaitPort("nginx", port, Duration.ofSeconds(20));
        BenchmarkRun.log("nginx on " + port);
        return new Target("nginx", "127.0.0.1", port, "/v1/responses", Map.of("Authorization", "Bearer " + UPSTREAM_TOKEN));
    }

    /** {@link JettyProxy} with Chowder's JVM options: the same heap and collector as Chowder, so that allocation compares. */
    JvmServer startJettyProxy(int upstreamPort) throws Exception {
        JvmPort proxy = startBenchClass(JETTY_PROXY, CHOWDER_JVM, JettyProxy.class, "0", String.valueOf(upstreamPort));
        BenchmarkRun.log("Jetty's proxy on " + proxy.port() + " (pid " + proxy.pid() + ")");
        return new JvmServer(new Target(JETTY_PROXY, "127.0.0.1", proxy.port(), "/v1/responses",
                Map.of("Authorization", "Bearer " + UPSTREAM_TOKEN)), proxy.pid());
    }

    JvmServer startChowder(int upstreamPort) throws Exception {
        int port = Processes.freePort();
        String jar = options.get("chowder-jar");
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CHOWDER_HTTP_HOST", "127.0.0.1");
        env.put("CHOWDER_HTTP_PORT", String.valueOf(port));
        env.put("CHOWDER_DATA_DIR", Files.createDirectories(work.resolve("chowder-data")).toString());
        List<String> command = new ArrayList<>(List.of(Processes.JAVA));
        command.addAll(CHOWDER_JVM);
        command.addAll(List.of("-Xlog:gc:file=" + work.resolve("chowder-gc.log"), "-jar", jar, "serve"));
        long chowderPid = processes.start("chowder", command, env, line -> {}).pid();
        Processes.awaitPort("Chowder", port, Duration.ofSeconds(90));
        List<String> cli = new ArrayList<>(List.of(Processes.JAVA));
        cli.addAll(List.of("--sun-misc-unsafe-memory-access=allow", "-jar", jar, "org", "create", "--name", "bench"));
        JsonNode org = LoadGenerator.JSON.readTree(jsonPart(Processes.run(cli, env, Duration.ofSeconds(90))));
        String key = org.path("api_key").asText();
        HttpClient http = HttpClient.newHttpClient();
        String instance = """
                {"name": "bench", "gateway_url": "http://127.0.0.1:%d", "gateway_token": "%s"}""".formatted(upstreamPort, UPSTREAM_TOKEN);
        HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/instances"))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(instance)).build(), HttpResponse.BodyHandlers.ofString());
        if (created.statusCode() != 201) {
            throw new IllegalStateException("registering the instance answered " + created.statusCode() + ": " + created.body());
        }
        String instanceId = LoadGenerator.JSON.readTree(created.body()).path("id").asText();
        BenchmarkRun.log("Chowder on " + port + " (pid " + chowderPid + "), instance " + instanceId);
        return new JvmServer(new Target("chowder", "127.0.0.1", port, "/v1/instances/" + instanceId + "/responses",
                Map.of("Authorization", "Bearer " + key)), chowderPid);
    }

    Target startPortkey(int upstreamPort) throws Exception {
        int port = Processes.freePort();
        Path server = Path.of(options.get("portkey-dir"), "node_modules", "@portkey-ai", "gateway", "build", "start-server.js");
        processes.start("portkey", List.of(options.getOrDefault("node", "node"), server.toString(), "--port=" + port, "--headless"),
                Map.of("NODE_ENV", "production"), line -> {});
        Processes.awaitPort("Portkey", port, Duration.ofSeconds(60));
        BenchmarkRun.log("Portkey on " + port);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Authorization", "Bearer sk-bench");
        headers.put("x-portkey-provider", "openai");
        headers.put("x-portkey-custom-host", "http://127.0.0.1:" + upstreamPort + "/v1");
        return new Target("portkey", "127.0.0.1", port, "/v1/responses", headers);
    }

    /** One request through each target before measuring: a misconfigured proxy fails the run at once. */
    static void checkTarget(Target target) throws IOException {
        try (RawHttpConnection connection = new RawHttpConnection(target)) {
            int status = connection.exchange(target.postHead(LoadGenerator.SMALL_BODY.length), LoadGenerator.SMALL_BODY);
            if (status != 200) {
                throw new IllegalStateException(target.name() + " answered " + status + " to the check request (see its log)");
            }
        }
    }

    private static String jsonPart(String output) {
        int start = output.indexOf('{');
        return output.substring(start, output.lastIndexOf('}') + 1);
    }
}
