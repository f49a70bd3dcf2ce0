package chowder.bench;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.PreEncodedHttpField;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * An agent gateway with no think time, so that what is measured is the proxy in front of it:
 * {@code POST /v1/responses} answers a fixed ~1 KB OpenResponses JSON at once, or, when the body says
 * {@code "stream":true}, an SSE stream of {@code bench_events} deltas {@code bench_gap_ms} apart (both
 * from the body's {@code metadata}). Every event carries the wall-clock time it was written
 * ({@code t_us}, microseconds since the epoch) so the client can measure what a proxy added. A raw
 * Jetty core handler, non-blocking end to end: streams wait on a scheduler, not on a thread, so
 * 10,000 open streams cost buffers only. {@code GET /readyz} answers 200 for Chowder's health probe.
 * Prints {@code PORT <n>} on stdout once listening.
 */
public final class Upstream {
    private static final int BODY_PREFIX_BYTES = 4096;
    private static final Pattern EVENTS = Pattern.compile("\"bench_events\"\\s*:\\s*\"?(\\d+)");
    private static final Pattern GAP = Pattern.compile("\"bench_gap_ms\"\\s*:\\s*\"?(\\d+)");
    private static final Pattern STREAM = Pattern.compile("\"stream\"\\s*:\\s*true");
    private static final HttpField JSON_TYPE = new PreEncodedHttpField(HttpHeader.CONTENT_TYPE, "application/json");
    private static final HttpField SSE_TYPE = new PreEncodedHttpField(HttpHeader.CONTENT_TYPE, "text/event-stream");
    private static final HttpField NO_BUFFERING = new PreEncodedHttpField("X-Accel-Buffering", "no");
    private static final HttpField NO_CACHE = new PreEncodedHttpField(HttpHeader.CACHE_CONTROL, "no-cache");
    private static final byte[] READY = "{\"ready\":true}".getBytes(StandardCharsets.US_ASCII);
    static final byte[] RESPONSE = responseJson().getBytes(StandardCharsets.UTF_8);
    private static final String DELTA_TEXT = "The quick brown fox jumps over the lazy dog. ";

    private final ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "stream-clock");
        t.setDaemon(true);
        return t;
    });

    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
        QueuedThreadPool threads = new QueuedThreadPool(64, 4);
        threads.setName("upstream");
        Server server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendDateHeader(false);
        ServerConnector connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        connector.setAcceptQueueSize(4096);
        connector.setIdleTimeout(300_000);
        server.addConnector(connector);
        server.setHandler(new Upstream().handler());
        server.start();
        System.out.println("PORT " + connector.getLocalPort());
        System.out.flush();
        server.join();
    }

    private Handler handler() {
        return new Handler.Abstract.NonBlocking() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                String path = Request.getPathInContext(request);
                if (path.equals("/readyz")) {
                    response.getHeaders().put(JSON_TYPE);
                    response.write(true, ByteBuffer.wrap(READY), callback);
                    return true;
                }
                if (!path.equals("/v1/responses") || !request.getMethod().equals("POST")) {
                    return false;
                }
                new BodyReader(request, body -> answer(body, response, callback), callback).run();
                return true;
            }
        };
    }

    private void answer(String bodyPrefix, Response response, Callback callback) {
        if (!STREAM.matcher(bodyPrefix).find()) {
            response.getHeaders().put(JSON_TYPE);
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, RESPONSE.length);
            response.write(true, ByteBuffer.wrap(RESPONSE), callback);
            return;
        }
        int events = intParam(EVENTS, bodyPrefix, 10);
        long gapMs = intParam(GAP, bodyPrefix, 10);
        response.getHeaders().put(SSE_TYPE);
        response.getHeaders().put(NO_CACHE);
        response.getHeaders().put(NO_BUFFERING);
        new EventWriter(response, callback, events, gapMs).writeCreated();
    }

    private static int intParam(Pattern pattern, String body, int fallback) {
        Matcher m = pattern.matcher(body);
        return m.find() ? Integer.parseInt(m.group(1)) : fallback;
    }

    static long nowMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }

    /** Writes one stream: created at once, then the deltas on the clock, then completed and [DONE]. */
    private final class EventWriter {
        private final Response response;
        private final Callback done;
        private final int events;
        private final long gapMs;
        private int sent;

        EventWriter(Response response, Callback done, int events, long gapMs) {
            this.response = response;
            this.done = done;
            this.events = events;
            this.gapMs = gapMs;
        }

        void writeCreated() {
            String data = "{\"type\":\"response.created\",\"t_us\":" + nowMicros()
                    + ",\"response\":{\"id\":\"resp_bench\",\"object\":\"response\",\"status\":\"in_progress\",\"model\":\"openclaw\",\"output\":[]}}";
            write("response.created", data, false, this::scheduleNext);
        }

        private void scheduleNext() {
            clock.schedule(this::writeNext, gapMs, TimeUnit.MILLISECONDS);
        }

        private void writeNext() {
            if (sent < events) {
                sent++;
                String data = "{\"type\":\"response.output_text.delta\",\"seq\":" + sent + ",\"t_us\":" + nowMicros()
                        + ",\"item_id\":\"msg_1\",\"output_index\":0,\"content_index\":0,\"delta\":\"" + DELTA_TEXT + "\"}";
                write("response.output_text.delta", data, false, this::scheduleNext);
                return;
            }
            String data = "{\"type\":\"response.completed\",\"t_us\":" + nowMicros()
                    + ",\"response\":{\"id\":\"resp_bench\",\"object\":\"response\",\"status\":\"completed\",\"model\":\"openclaw\","
                    + "\"usage\":{\"input_tokens\":10,\"output_tokens\":" + events + ",\"total_tokens\":" + (10 + events) + "}}}";
            String tail = "event: response.completed\ndata: " + data + "\n\ndata: [DONE]\n\n";
            response.write(true, ByteBuffer.wrap(tail.getBytes(StandardCharsets.UTF_8)), done);
        }

        private void write(String type, String data, boolean last, Runnable next) {
            byte[] bytes = ("event: " + type + "\ndata: " + data + "\n\n").getBytes(StandardCharsets.UTF_8);
            response.write(last, ByteBuffer.wrap(bytes), Callback.from(next, done::failed));
        }
    }

    /** Reads the request body to its end without blocking, keeping only its first bytes (enough to see the options). */
    private static final class BodyReader implements Runnable {
        private final Request request;
        private final java.util.function.Consumer<String> onEnd;
        private final Callback callback;
        private final byte[] prefix = new byte[BODY_PREFIX_BYTES];
        private int kept;

        BodyReader(Request request, java.util.function.Consumer<String> onEnd, Callback callback) {
            this.request = request;
            this.onEnd = onEnd;
            this.callback = callback;
        }

        @Override
        public void run() {
            while (true) {
                Content.Chunk chunk = request.read();
                if (chunk == null) {
                    request.demand(this);
                    return;
                }
                if (Content.Chunk.isFailure(chunk)) {
                    callback.failed(chunk.getFailure());
                    return;
                }
                ByteBuffer bytes = chunk.getByteBuffer();
                int take = Math.min(bytes.remaining(), prefix.length - kept);
                bytes.get(prefix, kept, take);
                kept += take;
                chunk.release();
                if (chunk.isLast()) {
                    onEnd.accept(new String(prefix, 0, kept, StandardCharsets.ISO_8859_1));
                    return;
                }
            }
        }
    }

    private static String responseJson() {
        String text = "Benchmark answer. ".repeat(34);
        return "{\"id\":\"resp_0123456789abcdef0123456789abcdef\",\"object\":\"response\",\"created_at\":1767225600,"
                + "\"status\":\"completed\",\"model\":\"openclaw\",\"output\":[{\"type\":\"message\",\"id\":\"msg_1\","
                + "\"role\":\"assistant\",\"status\":\"completed\",\"content\":[{\"type\":\"output_text\",\"text\":\""
                + text + "\",\"annotations\":[]}]}],\"usage\":{\"input_tokens\":10,\"output_tokens\":150,\"total_tokens\":160}}";
    }
}
