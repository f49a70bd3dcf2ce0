package chowder.bootstrap;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code chowder serve} as a process of its own, on a free loopback HTTP port, from the tests' class path; its log
 * (stderr and stdout) goes to a file. Close it to stop it (SIGTERM, then SIGKILL after 30 s).
 */
record ServerProcess(Process process, Path logFile, int port) implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("Chowder is listening on 127\\.0\\.0\\.1:(\\d+)");

    static ServerProcess start(Path dataDir, Path log, List<String> jvmOptions) throws Exception {
        return start(List.of(), dataDir, log, jvmOptions, Map.of());
    }

    /**
     * @param wrapper the command that runs the JVM's command line (its arguments), or empty
     * @param env {@code CHOWDER_} variables besides the data directory and the HTTP address (the tests' own are removed)
     */
    static ServerProcess start(List<String> wrapper, Path dataDir, Path log, List<String> jvmOptions, Map<String, String> env) throws Exception {
        Process process = launch(wrapper, dataDir, log, jvmOptions, env);
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (Instant.now().isBefore(deadline) && process.isAlive()) {
            Matcher listening = LISTENING.matcher(Files.readString(log));
            if (listening.find()) {
                return new ServerProcess(process, log, Integer.parseInt(listening.group(1)));
            }
            Thread.sleep(100);
        }
        process.destroyForcibly();
        throw new AssertionError("Chowder did not start:\n" + Files.readString(log));
    }

    static Process launch(Path dataDir, Path log, List<String> jvmOptions) throws IOException {
        return launch(List.of(), dataDir, log, jvmOptions, Map.of());
    }

    private static Process launch(List<String> wrapper, Path dataDir, Path log, List<String> jvmOptions, Map<String, String> env) throws IOException {
        List<String> command = new ArrayList<>(wrapper);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "serve"));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("CHOWDER_"));
        builder.environment().putAll(Map.of("CHOWDER_DATA_DIR", dataDir.toString(), "CHOWDER_HTTP_HOST", "127.0.0.1", "CHOWDER_HTTP_PORT", "0"));
        builder.environment().putAll(env);
        return builder.start();
    }

    String log() throws IOException {
        return Files.readString(logFile);
    }

    HttpResponse<String> send(String method, String path, String key) throws Exception {
        return send(method, path, key, null);
    }

    /** {@code body}, when not null, is sent as JSON. */
    HttpResponse<String> send(String method, String path, String key, String body) throws Exception {
        try (HttpClient client = HttpClient.newHttpClient()) {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(60))
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                    .header("Authorization", "Bearer " + key);
            if (body != null) {
                request.header("Content-Type", "application/json");
            }
            return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
