package chowder.adapter.openclaw;

import static org.assertj.core.api.Assertions.assertThat;

import chowder.application.port.Cancellation;
import chowder.application.port.GatewayResponse;
import chowder.application.port.ResponseRequest;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.GatewayToken;
import chowder.domain.GatewayUrl;
import chowder.domain.Instance;
import chowder.domain.InstanceSettings;
import chowder.domain.OrganizationId;
import chowder.domain.SessionId;
import chowder.domain.SessionKey;
import chowder.domain.TokenUsage;
import chowder.testing.ScriptedGateway;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.io.ArrayByteBufferPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What only the asynchronous relay shows: demand, events cut from any chunks, cancellation while an event is held. */
class GatewayRelayTest {
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final OpenClawGatewayConfig CONFIG = OpenClawGatewayConfig.defaults();

    private final MeterRegistry registry = new SimpleMeterRegistry();
    private final ScriptedGateway gateway = ScriptedGateway.start(ScriptedGateway.silence());
    // Every buffer Jetty lends out must come back, whichever way a call ended.
    private final ArrayByteBufferPool.Tracking buffers = new ArrayByteBufferPool.Tracking();
    private final HttpClient http = GatewayHttpClients.create(CONFIG);
    private final CountDownLatch finish = new CountDownLatch(1);
    private final OpenClawGatewayClient client;
    // Jetty's receiver keeps its own reference to the network buffer of an exchange aborted while its content was held
    // (jetty/jetty.project#12934): then only that reference may be left, never one of the chunks the relay took.
    private boolean abortedWhileContentHeld;

    GatewayRelayTest() throws Exception {
        http.setByteBufferPool(buffers);
        http.start();
        client = new OpenClawGatewayClient(http, CONFIG, registry);
    }

    @AfterEach
    void stop() throws Exception {
        finish.countDown();
        gateway.close();
        http.stop();
        if (abortedWhileContentHeld) {
            assertThat(buffers.getLeaks()).as(buffers::dumpLeaks).hasSizeLessThanOrEqualTo(1)
                    .allSatisfy(buffer -> assertThat(buffer.isRetained()).as("retained beyond Jetty's own reference").isFalse());
        } else {
            assertThat(buffers.getLeaks()).as(buffers::dumpLeaks).isEmpty();
        }
    }

    @Test
    void noEventComesBeforeThePreviousNextRanAndTheGatewayIsHeldBackMeanwhile() throws Exception {
        // Far more than socket buffers hold: unless Chowder reads on, the gateway cannot write it all.
        byte[] event = ("data: " + "e".repeat(4090) + "\n\n").getBytes(StandardCharsets.UTF_8);
        int count = 16 * 1024;
        AtomicLong written = new AtomicLong();
        gateway.play((out, socket) -> {
            out.write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1));
            for (int i = 0; i < count; i++) {
                out.write(event);
                written.addAndGet(event.length);
            }
        });
        RecordingListener listener = new RecordingListener();
        client.relayResponse(instance(), key(), streaming(new Cancellation()), listener);
        assertThat(listener.take(RecordingListener.Started.class).status()).isEqualTo(200);
        RecordingListener.Event first = listener.take(RecordingListener.Event.class);
        assertThat(first.bytes()).isEqualTo(event);

        long stalledAt = awaitStable(written);
        assertThat(stalledAt).as("bytes the gateway could write while an event waited").isLessThan((long) count * event.length);
        assertThat(listener.heard).as("nothing while the first event waits for its next").isEmpty();

        // A few events with next run from other threads, then the rest with next run from inside onEvent.
        Runnable next = first.next();
        for (int i = 0; i < 5; i++) {
            Thread.ofVirtual().start(next).join();
            RecordingListener.Event further = listener.take(RecordingListener.Event.class);
            assertThat(further.bytes()).isEqualTo(event);
            next = further.next();
        }
        AtomicInteger rest = new AtomicInteger();
        listener.atOnce(bytes -> {
            if (java.util.Arrays.equals(bytes, event)) {
                rest.incrementAndGet();
            }
        });
        next.run();
        assertThat(listener.take(RecordingListener.Ended.class).usage()).isEmpty();
        assertThat(rest).hasValue(count - 6);
        listener.assertKeptTheRules();
    }

    @Test
    void eventsCutAcrossChunksAndManyInOneChunkArriveWholeAndByteExact() throws Exception {
        List<String> events = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            String end = i % 3 == 0 ? "\r\n\r\n" : i % 3 == 1 ? "\n\n" : "\r\n\n";
            events.add("event: response.output_text.delta" + (i % 2 == 0 ? "\r\n" : "\n") + "data: {\"i\":" + i + ",\"pad\":\""
                    + "p".repeat(i * 7 % 300) + "\"}" + end);
        }
        // Ten thousand tiny events in one HTTP chunk: the relay must not nest a call per event.
        StringBuilder tiny = new StringBuilder();
        for (int i = 0; i < 10_000; i++) {
            String one = "data: " + i + (i % 2 == 0 ? "\n\n" : "\r\n\r\n");
            events.add(one);
            tiny.append(one);
        }
        String completed = "event: response.completed\ndata: {\"type\":\"response.completed\","
                + "\"response\":{\"usage\":{\"input_tokens\":3,\"output_tokens\":2}}}\n\n";
        events.add(completed);
        byte[] cutUp = String.join("", events.subList(0, 200)).getBytes(StandardCharsets.UTF_8);
        List<byte[]> chunks = new ArrayList<>();
        Random random = new Random(42);
        for (int offset = 0; offset < cutUp.length; ) {
            int length = Math.min(cutUp.length - offset, 1 + random.nextInt(60));
            chunks.add(java.util.Arrays.copyOfRange(cutUp, offset, offset + length));
            offset += length;
        }
        chunks.add(tiny.toString().getBytes(StandardCharsets.UTF_8));
        chunks.add(completed.getBytes(StandardCharsets.UTF_8));
        gateway.play(chunked(chunks));

        RecordingListener listener = new RecordingListener();
        List<String> received = new CopyOnWriteArrayList<>();
        listener.atOnce(bytes -> received.add(new String(bytes, StandardCharsets.UTF_8)));
        client.relayResponse(instance(), key(), streaming(new Cancellation()), listener);
        assertThat(listener.take(RecordingListener.Started.class).contentType()).isEqualTo("text/event-stream");
        assertThat(listener.take(RecordingListener.Ended.class).usage()).contains(new TokenUsage(3, 2));
        assertThat(received).isEqualTo(events);
        assertThat(listener.deepest.get() - listener.shallowest.get()).as("stack frames between events").isLessThan(200);
        listener.assertKeptTheRules();
    }

    @Test
    void cancellingWhileAnEventWaitsForNextEndsTheCallOnceAndClosesTheConnection() throws Exception {
        String event = "event: response.created\ndata: {\"type\":\"response.created\"}\n\n";
        gateway.play(ScriptedGateway.events(List.of(event, event), Duration.ZERO, true));
        Cancellation clientGone = new Cancellation();
        RecordingListener listener = new RecordingListener();
        client.relayResponse(instance(), key(), streaming(clientGone), listener);
        listener.take(RecordingListener.Started.class);
        RecordingListener.Event held = listener.take(RecordingListener.Event.class);

        abortedWhileContentHeld = true;
        clientGone.cancel();
        assertThat(listener.take(RecordingListener.Failed.class).failure()).isInstanceOfSatisfying(ChowderException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.REQUEST_CANCELLED));
        gateway.awaitClientClosed(Duration.ofSeconds(10));
        // The held event's next, run late, and a second cancellation change nothing.
        held.next().run();
        clientGone.cancel();
        Thread.sleep(200);
        assertThat(listener.heard).isEmpty();
        listener.assertKeptTheRules();
        assertThat(buffered()).isZero();
    }

    @Test
    void aWholeAnswerHoldsItsMemoryUntilClosedAndACancelledOneGivesItBackAtOnce() throws Exception {
        byte[] body = json(100 * 1024);
        gateway.play(ScriptedGateway.status(200, new String(body, StandardCharsets.UTF_8)));
        RecordingListener listener = new RecordingListener();
        client.relayResponse(instance(), key(), plain(new Cancellation()), listener);
        GatewayResponse answer = listener.take(RecordingListener.Answered.class).answer();
        assertThat(answer.bytes()).isEqualTo(body);
        assertThat(buffered()).isEqualTo(body.length);
        answer.close();
        assertThat(buffered()).isZero();

        gateway.play((out, socket) -> {
            out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + body.length
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.write(body, 0, body.length / 2);
            out.flush();
            finish.await(60, TimeUnit.SECONDS);
        });
        Cancellation clientGone = new Cancellation();
        RecordingListener halfway = new RecordingListener();
        client.relayResponse(instance(), key(), plain(clientGone), halfway);
        awaitBuffered(body.length);
        clientGone.cancel();
        assertThat(buffered()).as("given back as the cancellation returns").isZero();
        assertThat(halfway.take(RecordingListener.Failed.class).failure()).isInstanceOfSatisfying(ChowderException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.REQUEST_CANCELLED));
        gateway.awaitClientClosed(Duration.ofSeconds(10));
        halfway.assertKeptTheRules();
    }

    /**
     * A small answer is relayed from Jetty's own buffer, not copied: that buffer stays the answer's until it is closed,
     * and goes back to Jetty's pool only then, once however often it is closed (the pool's tracking, checked after each
     * test, finds any buffer kept for good). Were it given back earlier, the pool would lend it to the next call, whose
     * answer (another organization's, maybe) would be written over this one's bytes.
     */
    @Test
    void answersHeldAtOnceKeepTheirOwnBytesUntilClosedAndAreGivenBackOnce() throws Exception {
        AtomicInteger served = new AtomicInteger();
        gateway.play((out, socket) -> {
            int n = served.incrementAndGet();
            ScriptedGateway.status(200, answerNumbered(n)).play(out, socket);
        });
        List<GatewayResponse> held = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            RecordingListener listener = new RecordingListener();
            client.relayResponse(instance(), key(), plain(new Cancellation()), listener);
            held.add(listener.take(RecordingListener.Answered.class).answer());
            if (i % 3 == 2) {
                // Some are done with (twice) while others are held and more arrive: their buffers go back and are lent again.
                GatewayResponse done = held.remove(held.size() - 2);
                done.close();
                done.close();
            }
        }
        assertThat(held).hasSize(16);
        for (GatewayResponse answer : held) {
            String body = new String(answer.bytes(), StandardCharsets.UTF_8);
            String number = body.substring(body.indexOf("\"n\":") + 4, body.indexOf(','));
            assertThat(body).isEqualTo(answerNumbered(Integer.parseInt(number)));
            assertThat(answer.usage()).contains(new TokenUsage(Integer.parseInt(number), 1));
        }
        // A kept answer counts the whole buffer it keeps (at least one of them arrived in one chunk; all do, usually).
        int bufferBytes = http.getResponseBufferSize();
        assertThat(buffered()).isBetween(16 * 2048.0 + bufferBytes - 2048, 16.0 * bufferBytes);
        held.forEach(GatewayResponse::close);
        held.forEach(GatewayResponse::close);
        assertThat(buffered()).isZero();
    }

    @Test
    void aKeptAnswerThatIsNotJsonFailsAndGivesItsBufferBack() throws Exception {
        gateway.play(ScriptedGateway.status(200, "{\"id\":\"r\",\"output\":[" + "1,".repeat(300)));
        RecordingListener listener = new RecordingListener();
        client.relayResponse(instance(), key(), plain(new Cancellation()), listener);
        assertThat(listener.take(RecordingListener.Failed.class).failure()).isInstanceOfSatisfying(ChowderException.class,
                e -> assertThat(e.getMessage()).isEqualTo("Gateway error – its answer is not valid JSON."));
        assertThat(buffered()).isZero();
        // The buffer's return is checked after the test, with every other buffer the client lent.
    }

    /** A 2 KiB answer that says its number in every part of it, usage included. */
    private static String answerNumbered(int n) {
        String opening = "{\"n\":" + n + ",\"usage\":{\"input_tokens\":" + n + ",\"output_tokens\":1},\"pad\":\"";
        return opening + Integer.toString(n % 10).repeat(2048 - opening.length() - 2) + "\"}";
    }

    /** Waits until {@code counter} stopped moving for a while; returns where it stopped. */
    private static long awaitStable(AtomicLong counter) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        long last = -1;
        int still = 0;
        while (still < 10 && System.nanoTime() < deadline) {
            Thread.sleep(50);
            long now = counter.get();
            still = now == last ? still + 1 : 0;
            last = now;
        }
        return last;
    }

    private void awaitBuffered(double bytes) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (buffered() != bytes && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(buffered()).isEqualTo(bytes);
    }

    private double buffered() {
        return registry.get(OpenClawGatewayClient.BUFFERED_BYTES_METRIC).gauge().value();
    }

    /** An event stream in the given HTTP chunks, each flushed on its own. */
    private static ScriptedGateway.Script chunked(List<byte[]> chunks) {
        return (out, socket) -> {
            out.write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1));
            for (byte[] chunk : chunks) {
                chunk(out, chunk);
            }
            out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        };
    }

    private static void chunk(OutputStream out, byte[] bytes) throws java.io.IOException {
        out.write((Integer.toHexString(bytes.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.write(bytes);
        out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /** {@code {"object":"response","pad":"xx…"}} of exactly {@code size} bytes. */
    private static byte[] json(int size) {
        String opening = "{\"object\":\"response\",\"pad\":\"";
        String closing = "\"}";
        return (opening + "x".repeat(size - opening.length() - closing.length()) + closing).getBytes(StandardCharsets.UTF_8);
    }

    private Instance instance() {
        return Instance.register(OrganizationId.random(), "test", GatewayUrl.of(gateway.baseUrl().toString()), new GatewayToken("token"),
                InstanceSettings.NONE, Instant.now());
    }

    private static SessionKey key() {
        return SessionKey.forSession(SessionId.MAIN, 0);
    }

    private static ResponseRequest plain(Cancellation cancellation) {
        return new ResponseRequest(Optional.empty(), false, "{\"input\":\"hi\"}".getBytes(StandardCharsets.UTF_8), cancellation);
    }

    private static ResponseRequest streaming(Cancellation cancellation) {
        return new ResponseRequest(Optional.empty(), true, "{\"input\":\"hi\",\"stream\":true}".getBytes(StandardCharsets.UTF_8), cancellation);
    }
}
