package chowder.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One benchmark run: starts the upstream, nginx, Chowder and Portkey on loopback, measures each the same
 * way back to back (the load in separate JVMs, throughput with wrk), and writes the JSON result and the
 * tables of docs/perf.md. Started by {@code scripts/bench}, which builds and installs what it needs and
 * passes the options below.
 */
public final class BenchmarkRun {
    static final String UPSTREAM_TOKEN = "bench-upstream-token";
    /** Chowder's JVM options in every run (documented in docs/perf.md). */
    static final List<String> CHOWDER_JVM = List.of("-Xms256m", "-Xmx1g", "-XX:+UseG1GC",
            "-XX:+UnlockDiagnosticVMOptions", "-XX:+DebugNonSafepoints", "--sun-misc-unsafe-memory-access=allow");
    static final List<String> LOAD_JVM = List.of("-Xms256m", "-Xmx1g", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=4");
    static final List<String> UPSTREAM_JVM = List.of("-Xms256m", "-Xmx1g", "-XX:+UseParallelGC");

    /** How long each measure runs. */
    record Durations(double jitWarmupS, double warmupS, double measureS, int streams, int streamEvents, int streamGapMs,
                     int openStreamEvents, int openStreamGapMs, double openStreamRampS, int bigBodyRepeats) {
        static Durations full() {
            return new Durations(30, 5, 15, 100, 20, 10, 10, 5000, 10, 5);
        }

        static Durations quick() {
            return new Durations(10, 1, 3, 20, 10, 10, 5, 1000, 2, 2);
        }
    }

    private final Map<String, String> options;
    private final Durations durations;
    private final Path work;
    private final Path benchJar;
    private final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    private final Map<String, Object> results = new LinkedHashMap<>();
    private final List<Target> targets = new ArrayList<>();
    private long chowderPid;
    private Target chowder;

    private BenchmarkRun(Map<String, String> options) throws IOException {
        this.options = options;
        this.durations = options.containsKey("quick") ? Durations.quick() : Durations.full();
        this.work = Files.createTempDirectory("chowder-bench-");
        this.benchJar = Path.of(BenchmarkRun.class.getProtectionDomain().getCodeSource().getLocation().getPath());
    }

    /** Options: --chowder-jar J --portkey-dir D --node N --results-dir R --doc F --commit C --command "…" [--quick] [--profile] [--open-streams N]. */
    public static void main(String[] args) throws Exception {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String name = args[i].replaceFirst("^--", "");
            boolean flag = i + 1 >= args.length || args[i + 1].startsWith("--");
            options.put(name, flag ? "true" : args[++i]);
        }
        BenchmarkRun run = new BenchmarkRun(options);
        try (Processes processes = new Processes(run.work)) {
            run.run(processes);
        }
        System.exit(0);
    }

    private void run(Processes processes) throws Exception {
        log("work directory (logs): " + work);
        int upstreamPort = startUpstream(processes);
        Target direct = new Target("direct", "127.0.0.1", upstreamPort, "/v1/responses", Map.of("Authorization", "Bearer " + UPSTREAM_TOKEN));
        targets.add(direct);
        targets.add(startNginx(processes, upstreamPort));
        chowder = startChowder(processes, upstreamPort);
        targets.add(chowder);
        if (options.containsKey("portkey-dir")) {
            targets.add(startPortkey(processes, upstreamPort));
        }
        for (Target target : targets) {
            checkTarget(target);
        }
        results.put("meta", meta());
        attempt("jit_warmup", this::warmUpEveryTarget);
        attempt("latency", this::measureLatency);
        attempt("allocation", this::measureAllocation);
        attempt("throughput", this::measureThroughput);
        attempt("streaming", this::measureStreaming);
        attempt("big_body", this::measureBigBody);
        attempt("open_streams", this::measureOpenStreams);
        if (options.containsKey("profile")) {
            attempt("profile", this::profile);
        }
        write();
    }

    interface Measure {
        void run() throws Exception;
    }

    /** A measure that fails is recorded as failed; the others still run and the results are still written. */
    private void attempt(String name, Measure measure) {
        try {
            measure.run();
        } catch (Exception e) {
            log(name + " failed: " + e);
            results.put(name, Map.of("failed", e.toString()));
        }
    }

    // ---- servers -------------------------------------------------------------------------------------

    private int startUpstream(Processes processes) throws Exception {
        CompletableFuture<Integer> port = new CompletableFuture<>();
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(UPSTREAM_JVM);
        command.addAll(List.of("-cp", benchJar.toString(), Upstream.class.getName(), "0"));
        processes.start("upstream", command, Map.of(), line -> {
            if (line.startsWith("PORT ")) {
                port.complete(Integer.parseInt(line.substring(5).trim()));
            }
        });
        int p = port.get(60, TimeUnit.SECONDS);
        log("upstream on " + p);
        return p;
    }

    private Target startNginx(Processes processes, int upstreamPort) throws Exception {
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
        log("nginx on " + port);
        return new Target("nginx", "127.0.0.1", port, "/v1/responses", Map.of("Authorization", "Bearer " + UPSTREAM_TOKEN));
    }

    private Target startChowder(Processes processes, int upstreamPort) throws Exception {
        int port = Processes.freePort();
        String jar = options.get("chowder-jar");
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CHOWDER_HTTP_HOST", "127.0.0.1");
        env.put("CHOWDER_HTTP_PORT", String.valueOf(port));
        env.put("CHOWDER_DATA_DIR", Files.createDirectories(work.resolve("chowder-data")).toString());
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(CHOWDER_JVM);
        command.addAll(List.of("-Xlog:gc:file=" + work.resolve("chowder-gc.log"), "-jar", jar, "serve"));
        Process process = processes.start("chowder", command, env, line -> {});
        chowderPid = process.pid();
        Processes.awaitPort("Chowder", port, Duration.ofSeconds(90));
        List<String> cli = new ArrayList<>(List.of(java));
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
        log("Chowder on " + port + " (pid " + chowderPid + "), instance " + instanceId);
        return new Target("chowder", "127.0.0.1", port, "/v1/instances/" + instanceId + "/responses", Map.of("Authorization", "Bearer " + key));
    }

    private Target startPortkey(Processes processes, int upstreamPort) throws Exception {
        int port = Processes.freePort();
        Path server = Path.of(options.get("portkey-dir"), "node_modules", "@portkey-ai", "gateway", "build", "start-server.js");
        processes.start("portkey", List.of(options.getOrDefault("node", "node"), server.toString(), "--port=" + port, "--headless"),
                Map.of("NODE_ENV", "production"), line -> {});
        Processes.awaitPort("Portkey", port, Duration.ofSeconds(60));
        log("Portkey on " + port);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Authorization", "Bearer sk-bench");
        headers.put("x-portkey-provider", "openai");
        headers.put("x-portkey-custom-host", "http://127.0.0.1:" + upstreamPort + "/v1");
        return new Target("portkey", "127.0.0.1", port, "/v1/responses", headers);
    }

    /** One request through each target before measuring: a misconfigured proxy fails the run at once. */
    private static void checkTarget(Target target) throws IOException {
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

    // ---- measures ------------------------------------------------------------------------------------

    /**
     * Loads every target with 64 clients before anything is measured, results discarded: a JVM reaches its steady state
     * only once the JIT has compiled the hot path (tens of seconds on 2 cores), which a few seconds of warm-up per
     * measure do not give. Every target gets the same.
     */
    private void warmUpEveryTarget() throws Exception {
        for (Target target : targets) {
            log("JIT warm-up, 64 clients: " + target.name());
            load(target, "latency", "64", "0", String.valueOf(durations.jitWarmupS()));
        }
    }

    private void measureLatency() throws Exception {
        Map<String, Object> byClients = new LinkedHashMap<>();
        for (int clients : List.of(1, 64)) {
            Map<String, Object> byTarget = new LinkedHashMap<>();
            for (Target target : targets) {
                log("latency, " + clients + " client(s): " + target.name());
                byTarget.put(target.name(), load(target, "latency", String.valueOf(clients),
                        String.valueOf(durations.warmupS()), String.valueOf(durations.measureS())));
            }
            byClients.put(String.valueOf(clients), byTarget);
        }
        results.put("latency", byClients);
    }

    /**
     * Bytes Chowder allocates per small request (the latency measure's ~130-byte body and ~1 KB answer), one client for a
     * few seconds with no warm-up excluded: every request counts, and the background (change feed, metrics) is noise
     * against thousands of requests.
     */
    private void measureAllocation() throws Exception {
        log("allocation per request: chowder");
        try (JvmProbe probe = new JvmProbe(chowderPid)) {
            long before = probe.allocatedBytes();
            Map<String, Object> result = load(chowder, "latency", "1", "0", String.valueOf(Math.max(3, durations.measureS() / 3)));
            long allocated = probe.allocatedBytes() - before;
            long requests = ((Number) result.get("requests")).longValue();
            Map<String, Object> allocation = new LinkedHashMap<>();
            allocation.put("requests", requests);
            allocation.put("bytes_per_request", requests == 0 ? 0 : allocated / (double) requests);
            results.put("allocation", allocation);
        }
    }

    private void measureThroughput() throws Exception {
        Map<String, Object> byTarget = new LinkedHashMap<>();
        for (Target target : targets) {
            log("throughput (wrk -t2 -c64): " + target.name());
            Path script = work.resolve("wrk-" + target.name() + ".lua");
            StringBuilder lua = new StringBuilder("wrk.method = \"POST\"\nwrk.body = '")
                    .append(new String(LoadGenerator.SMALL_BODY, StandardCharsets.UTF_8)).append("'\n")
                    .append("wrk.headers[\"Content-Type\"] = \"application/json\"\n");
            target.headers().forEach((name, value) -> lua.append("wrk.headers[\"").append(name).append("\"] = \"").append(value).append("\"\n"));
            Files.writeString(script, lua);
            wrk(target, script, durations.warmupS());
            byTarget.put(target.name(), wrk(target, script, durations.measureS()));
        }
        results.put("throughput", byTarget);
    }

    private Map<String, Object> wrk(Target target, Path script, double seconds) throws Exception {
        String out = Processes.run(List.of(options.getOrDefault("wrk", "wrk"), "-t2", "-c64", "-d" + Math.round(seconds) + "s", "-s",
                script.toString(), target.url()), Map.of(), Duration.ofSeconds(Math.round(seconds) + 60));
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("requests_per_s", number(out, "Requests/sec:\\s+([\\d.]+)"));
        result.put("non_2xx", number(out, "Non-2xx or 3xx responses: (\\d+)"));
        Matcher socket = Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)").matcher(out);
        result.put("socket_errors", socket.find()
                ? Integer.parseInt(socket.group(1)) + Integer.parseInt(socket.group(2)) + Integer.parseInt(socket.group(3)) + Integer.parseInt(socket.group(4))
                : 0);
        return result;
    }

    private static double number(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    private void measureStreaming() throws Exception {
        Map<String, Object> byTarget = new LinkedHashMap<>();
        for (Target target : targets) {
            log("streaming: " + target.name());
            byTarget.put(target.name(), load(target, "stream", String.valueOf(durations.streams()),
                    String.valueOf(durations.streamEvents()), String.valueOf(durations.streamGapMs()),
                    String.valueOf(durations.jitWarmupS() / 3)));
        }
        results.put("streaming", byTarget);
    }

    private void measureBigBody() throws Exception {
        int bytes = 10 * 1024 * 1024;
        Map<String, Object> byTarget = new LinkedHashMap<>();
        for (Target target : targets) {
            log("10 MB body: " + target.name());
            if (target != chowder) {
                byTarget.put(target.name(), load(target, "big-body", String.valueOf(bytes), String.valueOf(durations.bigBodyRepeats())));
                continue;
            }
            try (JvmProbe probe = new JvmProbe(chowderPid)) {
                probe.heapLiveMb();
                double before = probe.heapUsedMb();
                long allocatedBefore = probe.allocatedBytes();
                probe.resetPeaks();
                Map<String, Object> result = load(target, "big-body", String.valueOf(bytes), String.valueOf(durations.bigBodyRepeats()));
                long allocated = probe.allocatedBytes() - allocatedBefore;
                int requests = durations.bigBodyRepeats() + 1;
                result.put("heap_before_mb", before);
                result.put("heap_peak_mb", probe.heapPeakMb());
                result.put("allocated_per_request_mb", allocated / (double) requests / (1024 * 1024));
                result.put("allocated_per_request_x_body", allocated / (double) requests / bytes);
                byTarget.put(target.name(), result);
            }
        }
        results.put("big_body", byTarget);
    }

    private void measureOpenStreams() throws Exception {
        int limit = Integer.parseInt(options.getOrDefault("fd-limit", "1048576"));
        // Chowder holds two descriptors per stream (client and gateway side) plus its own files.
        int count = Integer.parseInt(options.getOrDefault("open-streams", String.valueOf(Math.min(10_000, (limit - 500) / 2))));
        if (options.containsKey("quick")) {
            count = Math.min(count, 1000);
        }
        log("open streams through Chowder: " + count);
        Map<String, Object> result = new LinkedHashMap<>();
        try (JvmProbe probe = new JvmProbe(chowderPid)) {
            result.put("heap_before_mb", probe.heapLiveMb());
            result.put("rss_before_mb", probe.residentMb());
            Path targetFile = targetFile(chowder);
            Path out = work.resolve("open-streams.json");
            List<String> command = loadCommand("open-streams", targetFile, String.valueOf(count), String.valueOf(durations.openStreamEvents()),
                    String.valueOf(durations.openStreamGapMs()), String.valueOf(durations.openStreamRampS()), out.toString());
            CompletableFuture<String> plateau = new CompletableFuture<>();
            Processes loads = new Processes(work);
            Process load = loads.start("load-open-streams", command, Map.of(), line -> {
                if (line.startsWith("PLATEAU")) {
                    plateau.complete(line);
                }
            });
            result.put("plateau", plateau.get(Math.round(durations.openStreamRampS()) + 120, TimeUnit.SECONDS));
            Thread.sleep(1000);
            result.put("heap_used_at_plateau_mb", probe.heapUsedMb());
            result.put("heap_committed_at_plateau_mb", probe.heapCommittedMb());
            result.put("rss_at_plateau_mb", probe.residentMb());
            result.put("open_files_at_plateau", probe.openFiles());
            result.put("platform_threads_at_plateau", probe.platformThreads());
            result.put("heap_live_at_plateau_mb", probe.heapLiveMb());
            if (!load.waitFor(10, TimeUnit.MINUTES) || load.exitValue() != 0) {
                throw new IllegalStateException("the open-streams load did not finish cleanly (see load-open-streams.log)");
            }
            loads.close();
            result.putAll(LoadGenerator.JSON.readValue(out.toFile(), Map.class));
            result.put("rss_after_mb", probe.residentMb());
        }
        results.put("open_streams", result);
    }

    private void profile() throws Exception {
        Path recording = work.resolve("chowder-64-clients.jfr");
        log("profiling Chowder with JFR under 64 clients");
        Processes.run(List.of(jcmd(), String.valueOf(chowderPid), "JFR.start", "name=bench", "settings=profile"), Map.of(), Duration.ofSeconds(60));
        load(chowder, "latency", "64", "1", String.valueOf(Math.max(durations.measureS(), 10)));
        Processes.run(List.of(jcmd(), String.valueOf(chowderPid), "JFR.stop", "name=bench", "filename=" + recording), Map.of(), Duration.ofSeconds(60));
        Map<String, Object> summary = ProfileSummary.summarise(recording);
        summary.put("recording", recording.toString());
        results.put("profile", summary);
    }

    private String jcmd() {
        return Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
    }

    /** Runs the load generator in its own JVM and returns its JSON result. */
    @SuppressWarnings("unchecked")
    private Map<String, Object> load(Target target, String mode, String... args) throws Exception {
        Path out = work.resolve("result-" + mode + "-" + target.name() + "-" + System.nanoTime() + ".json");
        List<String> command = new ArrayList<>(List.of(args));
        command.add(out.toString());
        String output = Processes.run(loadCommand(mode, targetFile(target), command.toArray(String[]::new)), Map.of(), Duration.ofMinutes(10));
        if (!output.isBlank()) {
            log(output.strip());
        }
        return LoadGenerator.JSON.readValue(out.toFile(), Map.class);
    }

    private List<String> loadCommand(String mode, Path targetFile, String... args) {
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(LOAD_JVM);
        command.addAll(List.of("-cp", benchJar.toString(), LoadGenerator.class.getName(), mode, targetFile.toString()));
        command.addAll(List.of(args));
        return command;
    }

    private Path targetFile(Target target) throws IOException {
        Path file = work.resolve("target-" + target.name() + ".json");
        LoadGenerator.JSON.writeValue(file.toFile(), target);
        return file;
    }

    // ---- output --------------------------------------------------------------------------------------

    private Map<String, Object> meta() throws Exception {
        Map<String, Object> meta = new LinkedHashMap<>();
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
        meta.put("date", now.format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
        meta.put("commit", options.getOrDefault("commit", "unknown"));
        meta.put("mode", options.containsKey("quick") ? "quick" : "full");
        meta.put("command", options.getOrDefault("command", "scripts/bench"));
        meta.put("cpu", cpuModel());
        meta.put("cores", Runtime.getRuntime().availableProcessors());
        meta.put("memory_gb", Math.round(((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getTotalMemorySize() / 1e9));
        meta.put("jdk", System.getProperty("java.vm.vendor") + " " + System.getProperty("java.runtime.version"));
        meta.put("chowder_jvm_options", String.join(" ", CHOWDER_JVM));
        meta.put("load_jvm_options", String.join(" ", LOAD_JVM));
        meta.put("nginx", Processes.run(List.of(options.getOrDefault("nginx", "nginx"), "-v"), Map.of(), Duration.ofSeconds(10)).strip());
        meta.put("portkey", options.getOrDefault("portkey-version", "not measured"));
        // Others' work on a shared machine shows here: compare runs only at similar load.
        meta.put("load_average_at_start", Files.readString(Path.of("/proc/loadavg")).strip());
        meta.put("fd_limit", options.getOrDefault("fd-limit", "unknown"));
        meta.put("durations", durations);
        return meta;
    }

    private static String cpuModel() throws IOException {
        return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown");
    }

    private void write() throws IOException {
        Path resultsDir = Files.createDirectories(Path.of(options.getOrDefault("results-dir", "benchmarks/results")));
        String stamp = ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd-HHmm"));
        Path json = resultsDir.resolve(stamp + (options.containsKey("quick") ? "-quick" : "") + ".json");
        LoadGenerator.JSON.writerWithDefaultPrettyPrinter().writeValue(json.toFile(), results);
        log("results: " + json);
        Path doc = Path.of(options.getOrDefault("doc", "docs/perf.md"));
        String tables = new PerfReport(LoadGenerator.JSON.valueToTree(results), json.toString()).markdown();
        PerfReport.replaceGenerated(doc, tables);
        log("tables written to " + doc);
        System.out.println(tables);
    }

    static void log(String message) {
        System.err.println("[bench] " + message);
    }
}
