package chowder.adapter.http.responses;

import static org.assertj.core.api.Assertions.assertThat;

import chowder.adapter.http.NoInstanceSkills;
import chowder.adapter.http.RoutesHarness;
import chowder.application.port.GatewayAnswerListener;
import chowder.application.port.GatewayResponse;
import chowder.application.port.ResponseRequest;
import chowder.application.port.out.AgentGatewayPort;
import chowder.application.port.out.InstanceProvisionerPort;
import chowder.application.port.out.SkillCatalogPort;
import chowder.application.port.out.SkillSettingsPort;
import chowder.application.service.ChannelService;
import chowder.application.service.InMemoryChannelSettings;
import chowder.application.service.InMemoryStore;
import chowder.application.service.SkillService;
import chowder.application.service.StandInChannels;
import chowder.domain.Instance;
import chowder.domain.SessionKey;
import chowder.domain.TokenUsage;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The responses relay with a gateway that answers when the test says, from the test's own thread: nothing waits on the
 * request's thread, a stream's events reach the client one by one as they are delivered, and each is asked of the
 * gateway only once the one before it was written.
 */
// A relay that buffered an event would leave the client's read waiting: that fails here rather than hang the build.
@Timeout(60)
class ResponsesRelayTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HeldGateway gateway = new HeldGateway();
    private final HttpClient client = HttpClient.newHttpClient();
    private RoutesHarness harness;
    private String key;
    private String instance;

    @BeforeEach
    void start() throws Exception {
        InMemoryStore store = new InMemoryStore();
        harness = new RoutesHarness(store,
                new SkillService(store, InstanceProvisionerPort.DISABLED, new NoInstanceSkills(), SkillCatalogPort.NONE, SkillSettingsPort.NONE),
                new ChannelService(store, new InMemoryChannelSettings(), new StandInChannels(), new SecureRandom()), gateway);
        key = harness.organizations.create("Acme").apiKey().value();
        HttpResponse<String> created = harness.send("POST", "/v1/instances", key,
                "{\"name\":\"bot\",\"gateway_url\":\"http://127.0.0.1:18789\",\"gateway_token\":\"t\"}");
        instance = JSON.readTree(created.body()).path("id").asText();
    }

    @AfterEach
    void stop() {
        harness.close();
    }

    @Test
    void manyTurnsWaitAtOnceAndEachGetsItsOwnAnswerWhenTheGatewayGivesIt() throws Exception {
        int turns = 200;
        List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
        for (int i = 0; i < turns; i++) {
            answers.add(client.sendAsync(request("/v1/instances/" + instance + "/session/user-" + i + "/responses", "{\"input\":\"hi\"}"),
                    HttpResponse.BodyHandlers.ofString()));
        }
        List<Call> calls = new ArrayList<>();
        for (int i = 0; i < turns; i++) {
            calls.add(gateway.calls.poll(30, TimeUnit.SECONDS));
        }
        assertThat(answers).noneMatch(CompletableFuture::isDone);
        for (Call call : calls) {
            byte[] body = ("{\"session\":\"" + call.sessionKey().value() + "\"}").getBytes(StandardCharsets.UTF_8);
            call.listener().onAnswer(new GatewayResponse(200, "application/json", body, Optional.of(new TokenUsage(1, 1))));
        }
        for (int i = 0; i < turns; i++) {
            HttpResponse<String> answer = answers.get(i).get(30, TimeUnit.SECONDS);
            assertThat(answer.statusCode()).isEqualTo(200);
            assertThat(answer.headers().firstValue("Content-Length")).contains(Integer.toString(answer.body().length()));
            assertThat(JSON.readTree(answer.body()).path("session").asText()).endsWith("user-" + i);
        }
    }

    @Test
    void eachEventReachesTheClientBeforeTheNextIsAskedOf() throws Exception {
        CompletableFuture<HttpResponse<InputStream>> answer = client.sendAsync(
                request("/v1/instances/" + instance + "/responses", "{\"input\":\"hi\",\"stream\":true}"), HttpResponse.BodyHandlers.ofInputStream());
        Call call = gateway.calls.poll(30, TimeUnit.SECONDS);
        call.listener().onStreamStart(200, "text/event-stream");
        HttpResponse<InputStream> response = answer.get(30, TimeUnit.SECONDS);
        assertThat(response.statusCode()).isEqualTo(200);
        BufferedReader events = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
        AtomicInteger asked = new AtomicInteger();
        for (int i = 0; i < 3; i++) {
            CompletableFuture<Void> next = new CompletableFuture<>();
            call.listener().onEvent(ByteBuffer.wrap(("event: response.output_text.delta\ndata: {\"delta\":\"" + i + "\"}\n\n")
                    .getBytes(StandardCharsets.UTF_8)), () -> {
                        asked.incrementAndGet();
                        next.complete(null);
                    });
            // The client reads this event while the gateway has not yet been asked for the next one.
            assertThat(events.readLine()).isEqualTo("event: response.output_text.delta");
            assertThat(events.readLine()).isEqualTo("data: {\"delta\":\"" + i + "\"}");
            assertThat(events.readLine()).isEmpty();
            next.get(30, TimeUnit.SECONDS);
            assertThat(asked).hasValue(i + 1);
        }
        call.listener().onEvent(ByteBuffer.wrap("event: response.completed\ndata: {}\n\n".getBytes(StandardCharsets.UTF_8)), () -> {
            call.listener().onStreamEnd(Optional.of(new TokenUsage(3, 4)));
        });
        assertThat(events.readLine()).isEqualTo("event: response.completed");
        assertThat(events.readLine()).isEqualTo("data: {}");
        assertThat(events.readLine()).isEmpty();
        // The gateway sent no [DONE]: the relay ends the stream with it.
        assertThat(events.readLine()).isEqualTo("data: [DONE]");
        assertThat(events.readLine()).isEmpty();
        assertThat(events.readLine()).isNull();
    }

    @Test
    void aClientThatGoesAwayMidStreamCancelsTheCallAndEveryEventIsHandedBack() throws Exception {
        CompletableFuture<HttpResponse<InputStream>> answer = client.sendAsync(
                request("/v1/instances/" + instance + "/responses", "{\"input\":\"hi\",\"stream\":true}"), HttpResponse.BodyHandlers.ofInputStream());
        Call call = gateway.calls.poll(30, TimeUnit.SECONDS);
        CompletableFuture<Void> cancelled = new CompletableFuture<>();
        call.request().cancellation().onCancel(() -> cancelled.complete(null));
        call.listener().onStreamStart(200, "text/event-stream");
        answer.get(30, TimeUnit.SECONDS).body().close();
        // Large events until the relay notices: a write to the closed connection fails, or the disconnect watch's probe does.
        byte[] large = ("event: response.output_text.delta\ndata: {\"delta\":\"" + "x".repeat(256 * 1024) + "\"}\n\n")
                .getBytes(StandardCharsets.UTF_8);
        int delivered = 0;
        AtomicInteger handedBack = new AtomicInteger();
        while (!cancelled.isDone() && delivered < 1000) {
            CompletableFuture<Void> next = new CompletableFuture<>();
            call.listener().onEvent(ByteBuffer.wrap(large), () -> {
                handedBack.incrementAndGet();
                next.complete(null);
            });
            delivered++;
            CompletableFuture.anyOf(next, cancelled).get(30, TimeUnit.SECONDS);
        }
        cancelled.get(30, TimeUnit.SECONDS);
        call.listener().onFailure(new chowder.domain.ChowderException(chowder.domain.ErrorCode.REQUEST_CANCELLED, "gone"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (handedBack.get() < delivered && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(handedBack).as("each event's buffer is handed back, the one whose write failed too").hasValue(delivered);
    }

    @Test
    void theRoutesAnswerTheirPathsAsJavalinDid() throws Exception {
        CompletableFuture<HttpResponse<String>> slash = client.sendAsync(
                request("/v1/instances/" + instance + "/session/a%2Fb/responses/", "{\"input\":\"hi\"}"), HttpResponse.BodyHandlers.ofString());
        Call call = gateway.calls.poll(30, TimeUnit.SECONDS);
        assertThat(call.sessionKey().value()).contains("a").contains("b");
        call.listener().onAnswer(new GatewayResponse(200, "application/json", "{}".getBytes(StandardCharsets.UTF_8), Optional.empty()));
        assertThat(slash.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);

        HttpResponse<String> get = harness.send("GET", "/v1/instances/" + instance + "/responses", key, null);
        assertThat(get.statusCode()).isEqualTo(405);
        assertThat(get.headers().firstValue("Allow")).contains("POST");
        HttpResponse<String> empty = harness.send("POST", "/v1/instances/" + instance + "/session//responses", key, "{\"input\":\"hi\"}");
        assertThat(empty.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(empty.body()).path("detail").asText()).isNotBlank();
    }

    private HttpRequest request(String path, String body) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + harness.port() + path))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json")
                .build();
    }

    private record Call(SessionKey sessionKey, ResponseRequest request, GatewayAnswerListener listener) {}

    /** A gateway that holds each call until the test answers it. */
    private static final class HeldGateway implements AgentGatewayPort {
        final BlockingQueue<Call> calls = new LinkedBlockingQueue<>();

        @Override
        public void relayResponse(Instance instance, SessionKey sessionKey, ResponseRequest request, GatewayAnswerListener listener) {
            calls.add(new Call(sessionKey, request, listener));
        }
    }
}
