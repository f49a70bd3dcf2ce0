package chowder.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The measures of a benchmark run, each the same way for every target back to back; each puts its result under its own
 * name in the run's results.
 */
final class BenchMeasures {
    private final Map<String, String> options;
    private final MeasureDurations durations;
    private final Path work;
    private final List<Target> targets;
    private final Target chowder;
    private final long chowderPid;
    private final BenchServers.JvmServer jettyProxy;
    private final LoadRunner runner;
    private final Map<String, Object> results;

    BenchMeasures(Map<String, String> options, MeasureDurations durations, Path work, List<Target> targets,
            BenchServers.JvmServer chowder, BenchServers.JvmServer jettyProxy, LoadRunner runner, Map<String, Object> results) {
        this.options = options;
        this.durations = durations;
        this.work = work;
        this.targets = List.copyOf(targets);
        this.chowder = chowder.target();
        this.chowderPid = chowder.pid();
        this.jettyProxy = jettyProxy;
        this.runner = runner;
        this.results = results;
    }

    /**
     * Loads every target with 64 clients before anything is measured, results discarded: a JVM reaches its steady state
     * only once the JIT has compiled the hot path (tens of seconds on 2 cores), which a few seconds of warm-up per
     * measure do not give. Every target gets the same.
     */
    void warmUpEveryTarget() throws Exception {
        for (Target target : targets) {
            BenchmarkRun.log("JIT warm-up, 64 clients: " + target.name());
            runner.load(target, "latency", "64", "0", String.valueOf(durations.jitWarmupS()));
        }
    }

    void measureLatency() throws Exception {
        Map<String, Object> byClients = new LinkedHashMap<>();
        for (int clients : List.of(1, 64)) {
            Map<String, Object> byTarget = new LinkedHashMap<>();
            for (Target target : targets) {
                BenchmarkRun.log("latency, " + clients + " client(s): " + target.name());
                byTarget.put(target.name(), runner.load(target, "latency", String.valueOf(clients),
                        String.valueOf(durations.warmupS()), String.valueOf(durations.measureS())));
            }
            byClients.put(String.valueOf(clients), byTarget);
        }
        results.put("latency", byClients);
    }

    /**
     * Bytes Chowder allocates per small request (the latency measure's ~130-byte body and ~1 KB answer), one client for a
     * few seconds with no warm-up excluded: every request counts, and the background (change feed, metrics) is noise
     * against thousands of requests. Then the same of Jetty's own proxy, the reference point of the stack Chowder is
     * built on ({@code allocation_jetty_proxy}).
     */
    void measureAllocation() throws Exception {
        results.put("allocation", allocationAndCpu(chowder, chowderPid));
        try {
            results.put("allocation_jetty_proxy", allocationAndCpu(jettyProxy.target(), jettyProxy.pid()));
        } catch (Exception e) {
            // The reference's failure must not take Chowder's figure with it.
            BenchmarkRun.log("allocation per request of " + jettyProxy.target().name() + " failed: " + e);
            results.put("allocation_jetty_proxy", Map.of("failed", e.toString()));
        }
    }

    private Map<String, Object> allocationAndCpu(Target target, long pid) throws Exception {
        BenchmarkRun.log("allocation per request: " + target.name());
        try (JvmProbe probe = new JvmProbe(pid)) {
            long before = probe.allocatedBytes();
            long cpuBefore = probe.cpuMicros();
            Map<String, Object> result = runner.load(target, "latency", "1", "0", String.valueOf(Math.max(3, durations.measureS() / 3)));
            long allocated = probe.allocatedBytes() - before;
            long cpu = probe.cpuMicros() - cpuBefore;
            long requests = ((Number) result.get("requests")).longValue();
            Map<String, Object> allocation = new LinkedHashMap<>();
            allocation.put("requests", requests);
            allocation.put("bytes_per_request", requests == 0 ? 0 : allocated / (double) requests);
            allocation.put("cpu_us_per_request", requests == 0 ? 0 : cpu / (double) requests);
            return allocation;
        }
    }

    void measureThroughput() throws Exception {
        Map<String, Object> byTarget = new LinkedHashMap<>();
        for (Target target : targets) {
            BenchmarkRun.log("throughput (wrk -t2 -c64): " + target.name());
            Path script = work.resolve("wrk-" + target.name() + ".lua");
            StringBuilder lua = new StringBuilder("wrk.method = \"POST\"\nwrk.body = '")
                    .append(new String(LoadGenerator.SMALL_BODY, StandardCharsets.UTF_8)).append("'\n")
                    .append("wrk.headers[\"Content-Type\"] = \"application/json\"\n");
            target.headers().forEach((name, value) -> lua.append("wrk.headers[\"").append(name).append("\"] = \"").append(value).append("\"\n"));
            Files.writeString(script, lua);
            wrk(target, script, durations.warmupS());
            if (target != chowder && target != jettyProxy.target()) {
                byTarget.put(target.name(), wrk(target, script, durations.measureS()));
                continue;
            }
            // A JVM's CPU time per request at saturation: what its throughput costs, whatever else the machine runs.
            try (JvmProbe probe = new JvmProbe(target == chowder ? chowderPid : jettyProxy.pid())) {
                long cpuBefore = probe.cpuMicros();
                Map<String, Object> result = wrk(target, script, durations.measureS());
                long cpu = probe.cpuMicros() - cpuBefore;
                double requests = ((Number) result.get("requests_per_s")).doubleValue() * durations.measureS();
                result.put("cpu_us_per_request", requests == 0 ? 0 : cpu / requests);
                byTarget.put(target.name(), result);
            }
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

    void measureStreaming() throws Exception {
        Map<String, Object> byTarget = new LinkedHashMap<>();
        for (Target target : targets) {
            BenchmarkRun.log("streaming: " + target.name());
            byTarget.put(target.name(), runner.load(target, "stream", String.valueOf(durations.streams()),
                    String.valueOf(durations.streamEvents()), String.valueOf(durations.streamGapMs()),
                    String.valueOf(durations.jitWarmupS() / 3)));
        }
        results.put("streaming", byTarget);
    }

    void measureBigBody() throws Exception {
        int bytes = 10 * 1024 * 1024;
        Map<String, Object> byTarget = new LinkedHashMap<>();
        for (Target target : targets) {
            BenchmarkRun.log("10 MB body: " + target.name());
            if (target != chowder) {
                byTarget.put(target.name(), runner.load(target, "big-body", String.valueOf(bytes), String.valueOf(durations.bigBodyRepeats())));
                continue;
            }
            try (JvmProbe probe = new JvmProbe(chowderPid)) {
                probe.heapLiveMb();
                double before = probe.heapUsedMb();
                long allocatedBefore = probe.allocatedBytes();
                probe.resetPeaks();
                Map<String, Object> result = runner.load(target, "big-body", String.valueOf(bytes), String.valueOf(durations.bigBodyRepeats()));
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

    void measureOpenStreams() throws Exception {
        int limit = Integer.parseInt(options.getOrDefault("fd-limit", "1048576"));
        // Chowder holds two descriptors per stream (client and gateway side) plus its own files.
        int count = Integer.parseInt(options.getOrDefault("open-streams", String.valueOf(Math.min(10_000, (limit - 500) / 2))));
        if (options.containsKey("quick")) {
            count = Math.min(count, 1000);
        }
        BenchmarkRun.log("open streams through Chowder: " + count);
        Map<String, Object> result = new LinkedHashMap<>();
        try (JvmProbe probe = new JvmProbe(chowderPid)) {
            result.put("heap_before_mb", probe.heapLiveMb());
            result.put("rss_before_mb", probe.residentMb());
            Path targetFile = runner.targetFile(chowder);
            Path out = work.resolve("open-streams.json");
            List<String> command = runner.command("open-streams", targetFile, String.valueOf(count), String.valueOf(durations.openStreamEvents()),
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

    void profile() throws Exception {
        Path recording = work.resolve("chowder-64-clients.jfr");
        BenchmarkRun.log("profiling Chowder with JFR under 64 clients");
        Processes.run(List.of(jcmd(), String.valueOf(chowderPid), "JFR.start", "name=bench", "settings=profile",
                "jdk.ObjectAllocationInNewTLAB#enabled=true", "jdk.ObjectAllocationOutsideTLAB#enabled=true"), Map.of(), Duration.ofSeconds(60));
        runner.load(chowder, "latency", "64", "1", String.valueOf(Math.max(durations.measureS(), 10)));
        Processes.run(List.of(jcmd(), String.valueOf(chowderPid), "JFR.stop", "name=bench", "filename=" + recording), Map.of(), Duration.ofSeconds(60));
        Map<String, Object> summary = ProfileSummary.summarise(recording);
        summary.put("recording", recording.toString());
        results.put("profile", summary);
    }

    private static String jcmd() {
        return Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
    }
}
