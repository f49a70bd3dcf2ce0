package chowder.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.HdrHistogram.Histogram;

/**
 * The streaming modes of {@link LoadGenerator}: streams one at a time, timed from the request to the first event and
 * from each delta's upstream stamp to its arrival; and many slow streams open at once.
 */
final class StreamLoad {
    private StreamLoad() {}

    static Map<String, Object> stream(Target target, int streams, int events, int gapMs, double jitWarmupS) {
        int warmedUp = warmUpStreaming(target, events, jitWarmupS);
        byte[] body = streamBody(events, gapMs);
        byte[] head = target.postHead(body.length);
        Histogram firstEvent = new Histogram(LoadGenerator.MAX_NANOS, 3);
        Histogram eventDelay = new Histogram(LoadGenerator.MAX_NANOS, 3);
        int errors = 0;
        List<String> errorSamples = new ArrayList<>();
        RawHttpConnection connection = null;
        // The first streams at the measured pace are not counted either.
        int warmup = Math.max(2, streams / 10);
        for (int i = 0; i < streams + warmup; i++) {
            try {
                if (connection == null) {
                    connection = new RawHttpConnection(target);
                }
                StreamTiming timing = readStream(connection, head, body, events);
                if (i >= warmup) {
                    firstEvent.recordValue(timing.firstEventNanos());
                    timing.eventDelaysNanos().forEach(eventDelay::recordValue);
                }
            } catch (IOException | RuntimeException e) {
                errors++;
                if (errorSamples.size() < 5) {
                    errorSamples.add(e.toString());
                }
                if (connection != null) {
                    connection.close();
                }
                connection = null;
            }
        }
        if (connection != null) {
            connection.close();
        }
        Map<String, Object> result = streamResult(streams, events, gapMs, errors, errorSamples);
        result.put("jit_warmup_streams", warmedUp);
        result.put("first_event_us", LoadGenerator.percentiles(firstEvent));
        result.put("event_delay_us", LoadGenerator.percentiles(eventDelay));
        return result;
    }

    /**
     * Streams with no gap between events for {@code seconds}, not measured: the non-streaming warm-up does not compile
     * the streaming path, and a hundred streams would measure the interpreter. Returns how many ran.
     */
    static int warmUpStreaming(Target target, int events, double seconds) {
        byte[] body = streamBody(events, 0);
        byte[] head = target.postHead(body.length);
        long end = System.nanoTime() + (long) (seconds * 1e9);
        int count = 0;
        RawHttpConnection connection = null;
        while (System.nanoTime() < end) {
            try {
                if (connection == null) {
                    connection = new RawHttpConnection(target);
                }
                readStream(connection, head, body, events);
                count++;
            } catch (IOException | RuntimeException e) {
                // Counted in the measured part, where it matters; a target that fails here fails there too.
                if (connection != null) {
                    connection.close();
                }
                connection = null;
            }
        }
        if (connection != null) {
            connection.close();
        }
        return count;
    }

    record StreamTiming(long firstEventNanos, List<Long> eventDelaysNanos) {}

    /** One stream on the connection: time to the response.created event, and each delta's delay after its upstream stamp. */
    static StreamTiming readStream(RawHttpConnection connection, byte[] head, byte[] body, int events) throws IOException {
        long t0 = System.nanoTime();
        connection.send(head, body);
        RawHttpConnection.Head response = connection.readHead();
        if (response.status() != 200) {
            drain(connection.body(response));
            throw new IOException("status " + response.status());
        }
        SseReader reader = new SseReader(connection.body(response));
        long firstEvent = -1;
        List<Long> delays = new ArrayList<>(events);
        int deltas = 0;
        boolean completed = false;
        boolean done = false;
        String data;
        while ((data = reader.nextData()) != null) {
            long arrivedMicros = Upstream.nowMicros();
            if (firstEvent < 0) {
                firstEvent = System.nanoTime() - t0;
            }
            if (data.equals("[DONE]")) {
                done = true;
                continue;
            }
            if (data.contains("\"response.output_text.delta\"")) {
                deltas++;
                long stamp = stamp(data);
                delays.add(Math.max(0, arrivedMicros - stamp) * 1_000);
            } else if (data.contains("\"response.completed\"")) {
                completed = true;
            }
        }
        if (!done || !completed || deltas != events) {
            throw new IOException("stream incomplete: " + deltas + "/" + events + " deltas, completed=" + completed + ", done=" + done);
        }
        return new StreamTiming(firstEvent, delays);
    }

    static Map<String, Object> openStreams(Target target, int count, int events, int gapMs, double rampS) throws Exception {
        byte[] body = streamBody(events, gapMs);
        byte[] head = target.postHead(body.length);
        CountDownLatch open = new CountDownLatch(count);
        AtomicInteger completed = new AtomicInteger();
        AtomicInteger errors = new AtomicInteger();
        ConcurrentLinkedQueue<String> errorSamples = new ConcurrentLinkedQueue<>();
        long start = System.nanoTime();
        long rampNanos = (long) (rampS * 1e9);
        List<Thread> threads = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long startAt = start + rampNanos * i / count;
            threads.add(Thread.ofVirtual().start(() -> {
                boolean counted = false;
                try {
                    long wait = startAt - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                    try (RawHttpConnection connection = new RawHttpConnection(target, 4 * 1024)) {
                        connection.send(head, body);
                        RawHttpConnection.Head response = connection.readHead();
                        if (response.status() != 200) {
                            throw new IOException("status " + response.status());
                        }
                        SseReader reader = new SseReader(connection.body(response));
                        String data;
                        boolean done = false;
                        int deltas = 0;
                        while ((data = reader.nextData()) != null) {
                            if (!counted) {
                                counted = true;
                                open.countDown();
                            }
                            done |= data.equals("[DONE]");
                            if (data.contains("\"response.output_text.delta\"")) {
                                deltas++;
                            }
                        }
                        if (!done || deltas != events) {
                            throw new IOException("stream incomplete: " + deltas + "/" + events + " deltas");
                        }
                        completed.incrementAndGet();
                    }
                } catch (IOException | RuntimeException | InterruptedException e) {
                    errors.incrementAndGet();
                    LoadGenerator.sample(errorSamples, e.toString());
                } finally {
                    if (!counted) {
                        open.countDown();
                    }
                }
            }));
        }
        boolean allOpen = open.await((long) (rampS * 1e9) + TimeUnit.SECONDS.toNanos(60), TimeUnit.NANOSECONDS);
        double openSeconds = (System.nanoTime() - start) / 1e9;
        // The caller measures the proxy now, while every stream is open.
        System.out.println("PLATEAU open=" + (count - errors.get()) + " errors=" + errors.get() + " all_open=" + allOpen);
        System.out.flush();
        for (Thread thread : threads) {
            thread.join();
        }
        Map<String, Object> result = streamResult(count, events, gapMs, errors.get(), List.copyOf(errorSamples));
        result.put("seconds_to_open_all", openSeconds);
        result.put("completed", completed.get());
        return result;
    }

    private static Map<String, Object> streamResult(int streams, int events, int gapMs, int errors, List<String> errorSamples) {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("streams", streams);
        result.put("events_per_stream", events);
        result.put("gap_ms", gapMs);
        result.put("errors", errors);
        result.put("error_samples", errorSamples);
        return result;
    }

    static byte[] streamBody(int events, int gapMs) {
        return ("{\"model\":\"openclaw\",\"stream\":true,\"metadata\":{\"bench_events\":\"" + events + "\",\"bench_gap_ms\":\"" + gapMs
                + "\"},\"input\":\"Tell me a story.\"}").getBytes(StandardCharsets.UTF_8);
    }

    private static long stamp(String data) {
        int at = data.indexOf("\"t_us\":");
        if (at < 0) {
            throw new IllegalStateException("event without t_us: " + data);
        }
        int from = at + 7;
        int to = from;
        while (to < data.length() && Character.isDigit(data.charAt(to))) {
            to++;
        }
        return Long.parseLong(data.substring(from, to));
    }

    private static void drain(InputStream body) throws IOException {
        body.transferTo(OutputStream.nullOutputStream());
    }
}
