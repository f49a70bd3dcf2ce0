package chowder.adapter.openclaw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chowder.application.port.GatewayResponse;
import chowder.application.port.ResponseRequest;
import chowder.application.port.ResponseStream;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.GatewayToken;
import chowder.domain.GatewayUrl;
import chowder.domain.Instance;
import chowder.domain.InstanceSettings;
import chowder.domain.OrganizationId;
import chowder.domain.SessionId;
import chowder.domain.SessionKey;
import chowder.testing.FakeOpenClawGateway;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.HttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The bound on bytes of answers held in memory at once, against real gateways that answer big and slowly. */
class BufferedAnswersTest {
    private static final int MAX_RESPONSE = 1 << 20;
    // Four answers' worth: an organization may hold 2 MiB.
    private static final long BOUND = 4L << 20;
    private static final int LARGE = 700 * 1024;

    private final OpenClawGatewayConfig config = new OpenClawGatewayConfig(Duration.ofSeconds(5), Duration.ofSeconds(60),
            Duration.ofSeconds(60), Duration.ofMinutes(5), MAX_RESPONSE, BOUND, List.of(), Duration.ofSeconds(5));
    private final MeterRegistry registry = new SimpleMeterRegistry();
    private final CountDownLatch finish = new CountDownLatch(1);
    private final ScriptedGateway large = ScriptedGateway.start(ScriptedGateway.silence());
    private final FakeOpenClawGateway small = FakeOpenClawGateway.start("token");
    private final HttpClient http = GatewayHttpClients.create(config);
    private final java.util.concurrent.ExecutorService callers = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();
    private OpenClawGatewayClient client;

    @AfterEach
    void stop() throws Exception {
        finish.countDown();
        callers.shutdownNow();
        http.stop();
        large.close();
        small.close();
    }

    @Test
    void largeAnswersBeyondTheBoundAreRefusedWhileOtherOrganizationsStillGetTheirs() throws Exception {
        start();
        large.play(jsonInTwoHalves(LARGE, true));
        List<Instance> tenants = List.of(instance(OrganizationId.random(), large.baseUrl().toString()),
                instance(OrganizationId.random(), large.baseUrl().toString()), instance(OrganizationId.random(), large.baseUrl().toString()));
        List<CompletableFuture<Object>> answers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            tenants.forEach(tenant -> answers.add(send(tenant)));
        }
        // An organization may hold two (1.4 MiB of its 2 MiB), and all of them together five (3.5 MiB of 4 MiB): the
        // other seven are refused at once, while those five wait for the rest of their answers.
        List<Object> refused = awaitOverloaded(answers, 7);
        assertThat(refused).allSatisfy(failure -> assertThat(failure).isInstanceOfSatisfying(ChowderException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.OVERLOADED);
            assertThat(e.getMessage()).isEqualTo(OpenClawGatewayClient.BUSY);
        }));
        assertThat(buffered()).isEqualTo(5.0 * LARGE);

        GatewayResponse other = client.createResponse(instance(OrganizationId.random(), small.baseUrl().toString()), key(), request());
        assertThat(FakeOpenClawGateway.outputText(new String(other.bytes(), StandardCharsets.UTF_8))).startsWith("turns=1");
        other.close();

        finish.countDown();
        List<GatewayResponse> delivered = new ArrayList<>();
        for (CompletableFuture<Object> answer : answers) {
            Object outcome = answer.get(30, TimeUnit.SECONDS);
            if (outcome instanceof GatewayResponse response) {
                delivered.add(response);
            }
        }
        assertThat(delivered).hasSize(5).allSatisfy(response -> assertThat(response.bytes()).hasSize(LARGE));
        assertThat(buffered()).as("answers are counted until they are written and closed").isEqualTo(5.0 * LARGE);
        delivered.forEach(GatewayResponse::close);
        assertThat(buffered()).isZero();
    }

    @Test
    void anAnswerOfUnknownLengthIsCountedAsItGrows() throws Exception {
        start();
        OrganizationId organization = OrganizationId.random();
        Instance instance = instance(organization, large.baseUrl().toString());
        large.play(jsonInTwoHalves(MAX_RESPONSE, true));
        CompletableFuture<Object> held = send(instance);
        awaitBuffered(MAX_RESPONSE);

        // The organization holds 1 MiB; growing a buffer of unknown length to 900 KiB needs 1.5 MiB on the way.
        large.play(chunkedJson(900 * 1024));
        assertThatThrownBy(() -> client.createResponse(instance, key(), request()))
                .isInstanceOfSatisfying(ChowderException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.OVERLOADED));
        assertThat(buffered()).isEqualTo(MAX_RESPONSE);

        finish.countDown();
        ((GatewayResponse) held.get(30, TimeUnit.SECONDS)).close();
        assertThat(buffered()).isZero();
        try (GatewayResponse alone = client.createResponse(instance, key(), request())) {
            assertThat(alone.bytes()).hasSize(900 * 1024);
            assertThat(buffered()).isEqualTo(900 * 1024);
        }
        assertThat(buffered()).isZero();
    }

    @Test
    void aLargeAnswerIsCheckedOffTheIoThreadAsASmallOneIs() throws Exception {
        start();
        Instance instance = instance(OrganizationId.random(), large.baseUrl().toString());
        int size = AnswerExchange.LARGE_ANSWER_BYTES + 1;
        byte[] withUsage = json(size);
        String usage = ",\"usage\":{\"input_tokens\":7,\"output_tokens\":3}}";
        System.arraycopy(usage.getBytes(StandardCharsets.UTF_8), 0, withUsage, size - usage.length(), usage.length());
        withUsage[size - usage.length() - 1] = '"';
        large.play(whole(withUsage));
        try (GatewayResponse answer = client.createResponse(instance, key(), request())) {
            assertThat(answer.bytes()).isEqualTo(withUsage);
            assertThat(answer.usage()).contains(new chowder.domain.TokenUsage(7, 3));
        }
        assertThat(buffered()).isZero();

        byte[] broken = json(size);
        broken[size - 1] = 'x';
        large.play(whole(broken));
        assertThatThrownBy(() -> client.createResponse(instance, key(), request())).isInstanceOfSatisfying(ChowderException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.GATEWAY_FAILED);
            assertThat(e.getMessage()).isEqualTo("Gateway error – its answer is not valid JSON.");
        });
        assertThat(buffered()).isZero();
    }

    /** A JSON answer with its Content-Length, at once. */
    private static ScriptedGateway.Script whole(byte[] body) {
        return (out, socket) -> {
            out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + body.length
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
        };
    }

    @Test
    void aStreamEventBeyondTheBoundEndsTheStreamAndLargeEventsAreGivenBackOnceRelayed() throws Exception {
        start();
        OrganizationId organization = OrganizationId.random();
        Instance instance = instance(organization, large.baseUrl().toString());
        String bigEvent = "event: response.output_text.delta\ndata: {\"delta\":\"" + "x".repeat(600 * 1024) + "\"}\n\n";
        String last = "event: response.completed\ndata: {\"type\":\"response.completed\"}\n\n";
        large.play(ScriptedGateway.events(List.of(bigEvent, last, "data: [DONE]\n\n"), Duration.ZERO, false));
        try (ResponseStream stream = client.streamResponse(instance, key(), streaming())) {
            assertThat(stream.nextEvent()).hasSize(bigEvent.length());
            assertThat(buffered()).as("the event being relayed and the buffer that held it").isPositive();
            assertThat(new String(stream.nextEvent(), StandardCharsets.UTF_8)).isEqualTo(last);
            assertThat(buffered()).as("the buffer shrank back and the relayed event is no longer counted").isZero();
            assertThat(stream.nextEvent()).isNotNull();
            assertThat(stream.nextEvent()).isNull();
        }

        // Two streams of one organization with 800 KiB events: the second does not fit beside the first. (The second is
        // opened once the first holds its event: streams read as their events arrive, so two opened together would race.)
        String hugeEvent = "event: response.output_text.delta\ndata: {\"delta\":\"" + "y".repeat(800 * 1024) + "\"}\n\n";
        large.play(ScriptedGateway.events(List.of(hugeEvent, last, "data: [DONE]\n\n"), Duration.ZERO, false));
        try (ResponseStream first = client.streamResponse(instance, key(), streaming())) {
            assertThat(first.nextEvent()).hasSize(hugeEvent.length());
            try (ResponseStream second = client.streamResponse(instance, key(), streaming())) {
                assertThatThrownBy(second::nextEvent)
                        .isInstanceOfSatisfying(ChowderException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.OVERLOADED));
            }
        }
        assertThat(buffered()).isZero();
    }

    private void start() throws Exception {
        http.start();
        client = new OpenClawGatewayClient(http, config, registry);
    }

    private CompletableFuture<Object> send(Instance instance) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return client.createResponse(instance, key(), request());
            } catch (RuntimeException e) {
                return e;
            }
        }, callers);
    }

    /** Waits until {@code count} of the answers are refused for lack of room, the others still waiting. */
    private static List<Object> awaitOverloaded(List<CompletableFuture<Object>> answers, int count) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            List<Object> done = answers.stream().filter(CompletableFuture::isDone).map(CompletableFuture::join).toList();
            if (done.size() >= count) {
                assertThat(done).hasSize(count);
                return done;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("fewer than " + count + " answers were refused within 30 s");
    }

    private void awaitBuffered(double bytes) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (buffered() != bytes && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(buffered()).isEqualTo(bytes);
    }

    private double buffered() {
        return registry.get(OpenClawGatewayClient.BUFFERED_BYTES_METRIC).gauge().value();
    }

    /** A JSON answer of {@code size} bytes with its Content-Length: the first half at once, the rest once the test says so. */
    private ScriptedGateway.Script jsonInTwoHalves(int size, boolean waitForFinish) {
        byte[] body = json(size);
        return (out, socket) -> {
            out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + body.length
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.write(body, 0, body.length / 2);
            out.flush();
            if (waitForFinish && !finish.await(60, TimeUnit.SECONDS)) {
                return;
            }
            out.write(body, body.length / 2, body.length - body.length / 2);
            out.flush();
        };
    }

    /** A JSON answer of {@code size} bytes in 64 KiB chunks, without a Content-Length. */
    private static ScriptedGateway.Script chunkedJson(int size) {
        byte[] body = json(size);
        return (out, socket) -> {
            out.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1));
            for (int offset = 0; offset < body.length; offset += 64 * 1024) {
                int length = Math.min(64 * 1024, body.length - offset);
                chunk(out, body, offset, length);
            }
            out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        };
    }

    private static void chunk(OutputStream out, byte[] body, int offset, int length) throws java.io.IOException {
        out.write((Integer.toHexString(length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.write(body, offset, length);
        out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
    }

    /** {@code {"object":"response","pad":"xx…"}} of exactly {@code size} bytes. */
    private static byte[] json(int size) {
        String opening = "{\"object\":\"response\",\"pad\":\"";
        String closing = "\"}";
        return (opening + "x".repeat(size - opening.length() - closing.length()) + closing).getBytes(StandardCharsets.UTF_8);
    }

    private static Instance instance(OrganizationId organization, String url) {
        return Instance.register(organization, "test", GatewayUrl.of(url), new GatewayToken("token"), InstanceSettings.NONE, Instant.now());
    }

    private static SessionKey key() {
        return SessionKey.forSession(SessionId.MAIN, 0);
    }

    private static ResponseRequest request() {
        return new ResponseRequest(Optional.empty(), false, "{\"input\":\"hi\"}".getBytes(StandardCharsets.UTF_8));
    }

    private static ResponseRequest streaming() {
        return new ResponseRequest(Optional.empty(), true, "{\"input\":\"hi\",\"stream\":true}".getBytes(StandardCharsets.UTF_8));
    }
}
