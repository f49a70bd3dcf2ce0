package chowder.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
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

/**
 * One benchmark run: starts the upstream, nginx, Jetty's own proxy, Chowder and Portkey on loopback, measures each the same
 * way back to back (the load in separate JVMs, throughput with wrk), and writes the JSON result and the
 * tables of docs/perf.md. Started by {@code scripts/bench}, which builds and installs what it needs and
 * passes the options below.
 */
public final class BenchmarkRun {
    private final Map<String, String> options;
    private final MeasureDurations durations;
    private final Path work;
    private final Path benchJar;
    private final Map<String, Object> results = new LinkedHashMap<>();

    private BenchmarkRun(Map<String, String> options) throws IOException {
        this.options = options;
        this.durations = options.containsKey("quick") ? MeasureDurations.quick() : MeasureDurations.full();
        this.work = Files.createTempDirectory("chowder-bench-");
        this.benchJar = Path.of(BenchmarkRun.class.getProtectionDomain().getCodeSource().getLocation().getPath());
    }

    /**
     * Options: --chowder-jar J --portkey-dir D --node N --results-dir R --doc F --commit C --command "…" [--quick] [--profile]
     * [--open-streams N] [--only latency,allocation,throughput,streaming,big_body,open_streams] (an experiment: the JIT
     * warm-up and the named measures only).
     */
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
        BenchServers servers = new BenchServers(processes, work, benchJar, options);
        List<Target> targets = new ArrayList<>();
        int upstreamPort = servers.startUpstream();
        Target direct = new Target("direct", "127.0.0.1", upstreamPort, "/v1/responses",
                Map.of("Authorization", "Bearer " + BenchServers.UPSTREAM_TOKEN));
        targets.add(direct);
        targets.add(servers.startNginx(upstreamPort));
        BenchServers.JvmServer jettyProxy = servers.startJettyProxy(upstreamPort);
        targets.add(jettyProxy.target());
        BenchServers.JvmServer chowder = servers.startChowder(upstreamPort);
        targets.add(chowder.target());
        if (options.containsKey("portkey-dir")) {
            targets.add(servers.startPortkey(upstreamPort));
        }
        for (Target target : targets) {
            BenchServers.checkTarget(target);
        }
        results.put("meta", meta());
        BenchMeasures measures = new BenchMeasures(options, durations, work, targets, chowder, jettyProxy, new LoadRunner(work, benchJar), results);
        attempt("jit_warmup", measures::warmUpEveryTarget);
        attempt("latency", measures::measureLatency);
        attempt("allocation", measures::measureAllocation);
        attempt("throughput", measures::measureThroughput);
        attempt("streaming", measures::measureStreaming);
        attempt("big_body", measures::measureBigBody);
        attempt("open_streams", measures::measureOpenStreams);
        if (options.containsKey("profile")) {
            attempt("profile", measures::profile);
        }
        write();
    }

    interface Measure {
        void run() throws Exception;
    }

    /** A measure that fails is recorded as failed; the others still run and the results are still written. */
    private void attempt(String name, Measure measure) {
        String only = options.get("only");
        if (only != null && !name.equals("jit_warmup") && !name.equals("profile") && !List.of(only.split(",")).contains(name)) {
            return;
        }
        try {
            measure.run();
        } catch (Exception e) {
            log(name + " failed: " + e);
            results.put(name, Map.of("failed", e.toString()));
        }
    }

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
        meta.put("chowder_jvm_options", String.join(" ", BenchServers.CHOWDER_JVM));
        meta.put("load_jvm_options", String.join(" ", LoadRunner.LOAD_JVM));
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
