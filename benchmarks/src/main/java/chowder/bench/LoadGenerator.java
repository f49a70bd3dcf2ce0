package chowder.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.HdrHistogram.Histogram;

/**
 * The load, in its own JVM (started by {@link BenchmarkRun} once per target and measure). Closed-loop
 * clients over keep-alive connections; latencies in HdrHistogram. Modes (the streaming ones in {@link StreamLoad}):
 * <ul>
 *   <li>{@code latency TARGET CLIENTS WARMUP_S MEASURE_S OUT}: non-streaming request/answer latency;</li>
 *   <li>{@code stream TARGET STREAMS EVENTS GAP_MS JIT_WARMUP_S OUT}: one stream at a time, time to the first event
 *       and the delay of each later event (arrival minus the upstream's wall-clock stamp), after JIT_WARMUP_S of
 *       unmeasured streams without gaps;</li>
 *   <li>{@code open-streams TARGET COUNT EVENTS GAP_MS RAMP_S OUT}: COUNT slow streams open at once; prints
 *       {@code PLATEAU} once all are open, so the caller can measure the proxy then;</li>
 *   <li>{@code big-body TARGET BYTES REPEATS OUT}: the time of one request with a large body.</li>
 * </ul>
 * TARGET is a JSON file of a {@link Target}; OUT the JSON result file.
 */
public final class LoadGenerator {
    static final ObjectMapper JSON = new ObjectMapper();
    static final byte[] SMALL_BODY = ("{\"model\":\"openclaw\",\"input\":\"Hello, what is the weather like today?\","
            + "\"metadata\":{\"bench\":\"latency\"}}").getBytes(StandardCharsets.UTF_8);
    static final long MAX_NANOS = TimeUnit.SECONDS.toNanos(120);

    public static void main(String[] args) throws Exception {
        Target target = JSON.readValue(Path.of(args[1]).toFile(), Target.class);
        Map<String, Object> result = switch (args[0]) {
            case "latency" -> latency(target, Integer.parseInt(args[2]), Double.parseDouble(args[3]), Double.parseDouble(args[4]));
            case "stream" -> StreamLoad.stream(target, Integer.parseInt(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]),
                    Double.parseDouble(args[5]));
            case "open-streams" -> StreamLoad.openStreams(target, Integer.parseInt(args[2]), Integer.parseInt(args[3]),
                    Integer.parseInt(args[4]), Double.parseDouble(args[5]));
            case "big-body" -> bigBody(target, Integer.parseInt(args[2]), Integer.parseInt(args[3]));
            default -> throw new IllegalArgumentException("unknown mode " + args[0]);
        };
        String out = args[args.length - 1];
        JSON.writerWithDefaultPrettyPrinter().writeValue(Path.of(out).toFile(), result);
        System.exit(0);
    }

    static Map<String, Object> latency(Target target, int clients, double warmupS, double measureS) throws InterruptedException {
        byte[] head = target.postHead(SMALL_BODY.length);
        long start = System.nanoTime();
        long measureFrom = start + (long) (warmupS * 1e9);
        long end = measureFrom + (long) (measureS * 1e9);
        List<Histogram> histograms = new ArrayList<>();
        AtomicInteger errors = new AtomicInteger();
        ConcurrentLinkedQueue<String> errorSamples = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            Histogram histogram = new Histogram(MAX_NANOS, 3);
            histograms.add(histogram);
            Thread thread = Thread.ofPlatform().name("client-" + i).start(() -> {
                RawHttpConnection connection = null;
                while (System.nanoTime() < end) {
                    try {
                        if (connection == null) {
                            connection = new RawHttpConnection(target);
                        }
                        long t0 = System.nanoTime();
                        int status = connection.exchange(head, SMALL_BODY);
                        long t1 = System.nanoTime();
                        if (t0 >= measureFrom) {
                            if (status == 200) {
                                histogram.recordValue(Math.min(t1 - t0, MAX_NANOS));
                            } else {
                                errors.incrementAndGet();
                                sample(errorSamples, "status " + status);
                            }
                        }
                    } catch (IOException | RuntimeException e) {
                        errors.incrementAndGet();
                        sample(errorSamples, e.toString());
                        if (connection != null) {
                            connection.close();
                        }
                        connection = null;
                    }
                }
                if (connection != null) {
                    connection.close();
                }
            });
            threads.add(thread);
        }
        for (Thread thread : threads) {
            thread.join();
        }
        Histogram all = new Histogram(MAX_NANOS, 3);
        histograms.forEach(all::add);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("clients", clients);
        result.put("requests", all.getTotalCount());
        result.put("errors", errors.get());
        result.put("error_samples", List.copyOf(errorSamples));
        result.put("requests_per_s", all.getTotalCount() / measureS);
        result.put("latency_us", percentiles(all));
        return result;
    }

    static Map<String, Object> bigBody(Target target, int bytes, int repeats) {
        byte[] body = bigBody(bytes);
        byte[] head = target.postHead(body.length);
        List<Double> millis = new ArrayList<>();
        List<String> errorSamples = new ArrayList<>();
        int errors = 0;
        // One untimed request first: connection, and the first large buffers of the proxy.
        for (int i = 0; i <= repeats; i++) {
            try (RawHttpConnection connection = new RawHttpConnection(target)) {
                long t0 = System.nanoTime();
                int status = connection.exchange(head, body);
                long t1 = System.nanoTime();
                if (status != 200) {
                    errors++;
                    errorSamples.add("status " + status);
                } else if (i > 0) {
                    millis.add((t1 - t0) / 1e6);
                }
            } catch (IOException | RuntimeException e) {
                errors++;
                errorSamples.add(e.toString());
            }
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("body_bytes", body.length);
        result.put("requests", millis.size());
        result.put("errors", errors);
        result.put("error_samples", errorSamples);
        result.put("millis", millis);
        result.put("median_ms", millis.isEmpty() ? null : millis.stream().sorted().toList().get(millis.size() / 2));
        return result;
    }

    /** A request whose input is one long string: {@code bytes} in all. */
    static byte[] bigBody(int bytes) {
        byte[] prefix = "{\"model\":\"openclaw\",\"metadata\":{\"bench\":\"big-body\"},\"input\":\"".getBytes(StandardCharsets.UTF_8);
        byte[] suffix = "\"}".getBytes(StandardCharsets.UTF_8);
        byte[] body = new byte[bytes];
        System.arraycopy(prefix, 0, body, 0, prefix.length);
        byte[] filler = "lorem ipsum dolor sit amet ".getBytes(StandardCharsets.UTF_8);
        for (int i = prefix.length; i < bytes - suffix.length; i++) {
            body[i] = filler[(i - prefix.length) % filler.length];
        }
        System.arraycopy(suffix, 0, body, bytes - suffix.length, suffix.length);
        return body;
    }

    static Map<String, Object> percentiles(Histogram nanos) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("count", nanos.getTotalCount());
        p.put("p50", nanos.getValueAtPercentile(50) / 1e3);
        p.put("p90", nanos.getValueAtPercentile(90) / 1e3);
        p.put("p99", nanos.getValueAtPercentile(99) / 1e3);
        p.put("p99_9", nanos.getValueAtPercentile(99.9) / 1e3);
        p.put("max", nanos.getMaxValue() / 1e3);
        p.put("mean", nanos.getMean() / 1e3);
        return p;
    }

    static void sample(ConcurrentLinkedQueue<String> samples, String error) {
        if (samples.size() < 5) {
            samples.add(error);
        }
    }
}
