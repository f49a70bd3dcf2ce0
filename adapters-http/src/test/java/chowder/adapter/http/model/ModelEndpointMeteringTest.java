package chowder.adapter.http.model;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import chowder.application.service.TestServices;
import chowder.application.service.TestServices.ModelEgress;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The model endpoint on a real Jetty listener with the application's own model access (rates, budgets, reservations,
 * metering) over in-memory stores and counters, relaying to a scripted provider on loopback: what an agent that tries
 * to spend past its organization's budget actually gets.
 */
class ModelEndpointMeteringTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String CALL = "/providers/local/chat/completions";
    /** The largest JSON string read for usage: answers larger than this are still metered. */
    private static final int USAGE_LIMIT = 1024 * 1024;

    private final ScriptedProvider provider = new ScriptedProvider();
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final HttpClient gateway = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private ModelEgress egress;
    private ModelEndpointServer endpoint;

    ModelEndpointMeteringTest() throws Exception {}

    @BeforeEach
    void start() throws Exception {
        egress = TestServices.modelEgress(provider.baseUrl("/v1"), Clock.systemUTC());
        endpoint = TestEndpoint.started(ModelEndpointConfig.DEFAULT_MAX_REQUEST_BYTES, USAGE_LIMIT, 8, egress.access(), registry);
    }

    @AfterEach
    void stop() throws Exception {
        endpoint.stop();
        provider.close();
    }

    @Test
    void aStreamCutBeforeItsUsageChunkIsStillChargedAndTheNextCallOverBudgetIsRefused() throws Exception {
        egress.limits(50L, null);
        List<String> events = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            events.add("data: {\"choices\":[{\"delta\":{\"content\":\"" + "once upon a time ".repeat(6) + "\"}}]}\n\n");
        }
        events.add("data: {\"choices\":[],\"usage\":{\"prompt_tokens\":30,\"completion_tokens\":900}}\n\n");
        events.add("data: [DONE]\n\n");
        provider.answer(ScriptedProvider.Answer.events(events.toArray(String[]::new)), true);
        String body = "{\"model\":\"llama\",\"stream\":true,\"max_tokens\":100000,\"messages\":[{\"role\":\"user\",\"content\":\"a long story\"}]}";
        long reservation = body.length() / 4 + 100_000;

        // The agent reads a few events of a long answer, then hangs up before OpenAI's usage chunk (which comes last).
        provider.release();
        provider.release();
        provider.release();
        HttpResponse<InputStream> response = gateway.send(call(body), HttpResponse.BodyHandlers.ofInputStream());
        BufferedReader answer = new BufferedReader(new InputStreamReader(response.body(), UTF_8));
        assertThat(answer.readLine()).contains("once upon a time");
        assertThat(egress.spentToday()).isEqualTo(reservation);
        answer.close();
        for (int i = 0; i < 40 && !provider.callerGone().isDone(); i++) {
            provider.release();
            Thread.sleep(100);
        }
        provider.callerGone().get(WAIT.toSeconds(), TimeUnit.SECONDS);

        // Charged its input and what came back (a token per 4 bytes; at least the event it read), in place of its reservation.
        long charged = awaitChange(egress::spentToday, reservation);
        assertThat(charged).isGreaterThanOrEqualTo(body.length() / 4 + events.getFirst().length() / 4).isLessThan(reservation);
        assertThat(registry.scrape()).contains("outcome=\"estimated\",provider=\"local\"} 1.0");
        HttpResponse<String> refused = gateway.send(call(body), HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).isEqualTo(429);
        JsonNode error = JSON.readTree(refused.body());
        assertThat(error.at("/error/type").asText()).isEqualTo("insufficient_quota");
        assertThat(error.path("detail").asText()).startsWith("Budget exceeded: this organization's tokens_per_day (50 tokens) is spent");
        provider.nextCall(WAIT);
        assertThat(provider.hasCall()).isFalse();
    }

    @Test
    void aSuspendedOrganizationsModelCallsAre403BeforeTheProviderSeesThemUntilItIsResumed() throws Exception {
        String body = "{\"model\":\"llama\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        egress.suspended(true);
        HttpResponse<String> refused = gateway.send(call(body), HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(refused.body()).path("detail").asText()).isEqualTo("This organization is suspended by its operator.");
        assertThat(provider.hasCall()).isFalse();
        assertThat(egress.spentToday()).isZero();

        egress.suspended(false);
        provider.answer(ScriptedProvider.Answer.json(200, "{\"id\":\"c1\",\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4}}"),
                false);
        assertThat(gateway.send(call(body), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        assertThat(provider.nextCall(WAIT).path()).isEqualTo("/v1/chat/completions");
    }

    @Test
    void anAnswerLargerThanTheUsageLimitIsMeteredFromItsUsage() throws Exception {
        egress.limits(1_000_000_000L, null);
        // 2.5 MiB of choices, the usage at the end: the whole answer was once kept to be parsed, and beyond 8 MiB went uncounted.
        StringBuilder choices = new StringBuilder();
        for (int i = 0; choices.length() < 5 * USAGE_LIMIT / 2; i++) {
            choices.append(i == 0 ? "" : ",").append("{\"index\":").append(i).append(",\"message\":{\"content\":\"").append("x".repeat(1000))
                    .append("\"}}");
        }
        provider.answer(ScriptedProvider.Answer.json(200, "{\"id\":\"c1\",\"choices\":[" + choices + "],\"usage\":{\"prompt_tokens\":1234,"
                + "\"completion_tokens\":567,\"prompt_tokens_details\":{\"cached_tokens\":1000}}}"), false);

        HttpResponse<String> answer = gateway.send(call("{\"model\":\"llama\",\"max_tokens\":100}"), HttpResponse.BodyHandlers.ofString());

        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.body().length()).isGreaterThan(2 * USAGE_LIMIT);
        assertThat(awaitValue(egress::spentToday, 1234 + 567)).isEqualTo(1234 + 567);
        assertThat(registry.scrape()).contains("type=\"input\"} 1234.0").contains("type=\"cached_input\"} 1000.0");

        // One string longer than the limit is not read: the call is charged an estimate (its input and a token per 4 bytes
        // of its answer), never nothing.
        String huge = "{\"choices\":[{\"message\":{\"content\":\"" + "y".repeat(2 * USAGE_LIMIT)
                + "\"}}],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1}}";
        provider.answer(ScriptedProvider.Answer.json(200, huge), false);
        String body = "{\"model\":\"llama\",\"max_tokens\":1000000}";
        assertThat(gateway.send(call(body), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        long estimate = body.length() / 4 + huge.length() / 4;
        assertThat(awaitValue(egress::spentToday, 1234 + 567 + estimate)).isEqualTo(1234 + 567 + estimate);
        assertThat(registry.scrape()).contains("outcome=\"estimated\",provider=\"local\"} 1.0");
    }

    @Test
    void callsMadeAtOnceReserveTheirEstimatesSoOnlyWhatTheBudgetHoldsPasses() throws Exception {
        egress.limits(1_000L, null);
        provider.answer(ScriptedProvider.Answer.events("data: {\"choices\":[],\"usage\":{\"prompt_tokens\":60,\"completion_tokens\":40}}\n\n",
                "data: [DONE]\n\n"), true);
        String body = "{\"model\":\"llama\",\"stream\":true,\"max_tokens\":400,\"messages\":[]}";
        long reservation = body.length() / 4 + 400;

        List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            calls.add(gateway.sendAsync(call(body), HttpResponse.BodyHandlers.ofString()));
        }
        // Nothing is charged while they run; before, all six passed. Now 0, 1 and 2 reservations are under 1000, 3 are not.
        for (int i = 0; i < 3; i++) {
            provider.nextCall(WAIT);
        }
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (calls.stream().filter(CompletableFuture::isDone).count() < 3 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(calls.stream().filter(CompletableFuture::isDone).map(CompletableFuture::join).map(HttpResponse::statusCode))
                .containsExactly(429, 429, 429);
        assertThat(provider.hasCall()).isFalse();
        assertThat(egress.spentToday()).isEqualTo(3 * reservation);

        for (int i = 0; i < 6; i++) {
            provider.release();
        }
        for (CompletableFuture<HttpResponse<String>> call : calls) {
            assertThat(call.get(WAIT.toSeconds(), TimeUnit.SECONDS).statusCode()).isIn(200, 429);
        }
        assertThat(awaitValue(egress::spentToday, 3 * 100)).isEqualTo(3 * 100);
    }

    @Test
    void theOrganizationsRequestsPerMinuteAppliesToItsModelCalls() throws Exception {
        egress.limits(null, 2L);
        provider.answer(ScriptedProvider.Answer.json(200, "{\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1}}"), false);
        String body = "{\"model\":\"llama\"}";
        assertThat(gateway.send(call(body), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        assertThat(gateway.send(call(body), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);

        HttpResponse<String> limited = gateway.send(call(body), HttpResponse.BodyHandlers.ofString());

        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.headers().firstValue("Retry-After")).hasValueSatisfying(seconds -> assertThat(Long.parseLong(seconds)).isPositive());
        JsonNode error = JSON.readTree(limited.body());
        assertThat(error.at("/error/type").asText()).isEqualTo("rate_limit_exceeded");
        assertThat(error.path("detail").asText()).startsWith("Rate limit exceeded: this organization's requests_per_minute (2) is used up by "
                + "its model calls; retry in ");
        assertThat(registry.scrape()).contains("chowder_model_refused_total{reason=\"rate_limit_exceeded\"} 1.0");
    }

    private HttpRequest call(String body) {
        return HttpRequest.newBuilder(endpoint.uri().resolve(CALL))
                .header("Authorization", "Bearer " + egress.credential())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    /** Calls are charged off the relay's threads, a moment after they end: waits until {@code value} is {@code expected}. */
    private static long awaitValue(LongSupplier value, long expected) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (value.getAsLong() != expected && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        return value.getAsLong();
    }

    /** As {@link #awaitValue}, for a charge not known exactly: waits until {@code value} is no longer {@code from}. */
    private static long awaitChange(LongSupplier value, long from) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (value.getAsLong() == from && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        return value.getAsLong();
    }
}
