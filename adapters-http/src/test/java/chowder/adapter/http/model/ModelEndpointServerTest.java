package chowder.adapter.http.model;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import chowder.application.port.in.AuthorizeModelCallUseCase;
import chowder.application.port.in.AuthorizeModelCallUseCase.ModelCallGrant;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.LimitExceededException;
import chowder.domain.ModelApi;
import chowder.domain.ModelApiKey;
import chowder.domain.ModelTokens;
import chowder.domain.OrganizationId;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Chowder's model endpoint on a real Jetty listener, relaying to a scripted provider on loopback. */
class ModelEndpointServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CREDENTIAL = "chm_gateway-of-instance-a";
    private static final ModelApiKey ORG_KEY = new ModelApiKey("sk-org-a-secret");
    private static final OrganizationId ORGANIZATION = new OrganizationId(UUID.randomUUID());
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final ScriptedProvider provider = new ScriptedProvider();
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final List<ModelTokens> metered = new CopyOnWriteArrayList<>();
    private final HttpClient gateway = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private volatile ModelApi api = ModelApi.OPENAI_COMPLETIONS;
    private volatile URI providerBase;
    private volatile RuntimeException refusal;
    private ModelEndpointServer endpoint;

    ModelEndpointServerTest() throws Exception {}

    @BeforeEach
    void start() throws Exception {
        providerBase = provider.baseUrl("/v1");
        AuthorizeModelCallUseCase calls = (credential, name) -> {
            if (refusal != null) {
                throw refusal;
            }
            if (!CREDENTIAL.equals(credential)) {
                throw new ChowderException(ErrorCode.INVALID_API_KEY, "Unknown model credential.");
            }
            return new ModelCallGrant(ORGANIZATION, providerBase, api, Set.of("m1"), Optional.of(ORG_KEY), metered::add);
        };
        endpoint = new ModelEndpointServer(new ModelEndpointConfig(0, Duration.ofSeconds(5), Duration.ofSeconds(30), 64 * 1024, 1024 * 1024),
                calls, registry);
        endpoint.start();
    }

    @AfterEach
    void stop() throws Exception {
        endpoint.stop();
        provider.close();
    }

    @Test
    void aStreamIsRelayedEventByEventWithTheOrganizationsKeyAndOnlyTheHeadersAProviderNeeds() throws Exception {
        provider.answer(ScriptedProvider.Answer.events(
                "data: {\"choices\":[{\"delta\":{\"content\":\"Hel\"}}]}\n\n",
                "data: {\"choices\":[{\"delta\":{\"content\":\"lo\"}}]}\n\n",
                "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":120,\"completion_tokens\":8,\"prompt_tokens_details\":{\"cached_tokens\":100}}}\n\n",
                "data: [DONE]\n\n"), true);
        HttpRequest request = call("/providers/openai/chat/completions", "{\"model\":\"m1\",\"stream\":true,\"messages\":[]}")
                .header("OpenAI-Organization", "org-of-someone-else")
                .header("Cookie", "session=1")
                .header("Accept-Encoding", "gzip")
                .build();
        provider.release();
        HttpResponse<InputStream> response = gateway.send(request, HttpResponse.BodyHandlers.ofInputStream());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/event-stream"));
        assertThat(response.headers().firstValue("Retry-After")).hasValue("7");
        assertThat(response.headers().map().keySet()).noneMatch(name -> name.equalsIgnoreCase("x-ratelimit-remaining-tokens")
                || name.equalsIgnoreCase("openai-organization") || name.equalsIgnoreCase("set-cookie"));
        try (BufferedReader events = new BufferedReader(new InputStreamReader(response.body(), UTF_8))) {
            // The first event is relayed while the provider still holds back the second.
            assertThat(events.readLine()).contains("Hel");
            assertThat(events.readLine()).isEmpty();
            provider.release();
            assertThat(events.readLine()).contains("lo");
            provider.release();
            provider.release();
            String rest = events.lines().reduce("", String::concat);
            assertThat(rest).contains("\"prompt_tokens\":120").endsWith("data: [DONE]");
        }

        ScriptedProvider.Call upstream = provider.nextCall(WAIT);
        assertThat(upstream.path()).isEqualTo("/v1/chat/completions");
        assertThat(upstream.headers().getFirst("Authorization")).isEqualTo("Bearer " + ORG_KEY.value());
        assertThat(upstream.headers().keySet()).noneMatch(name -> name.equalsIgnoreCase("openai-organization")
                || name.equalsIgnoreCase("cookie") || name.equalsIgnoreCase("accept-encoding") || name.equalsIgnoreCase("via")
                || name.equalsIgnoreCase("forwarded") || name.equalsIgnoreCase("x-api-key"));
        assertThat(upstream.body()).doesNotContain(CREDENTIAL);
        // Asked for the usage chunk, which the gateway did not: otherwise the call would spend without being counted.
        assertThat(JSON.readTree(upstream.body()).at("/stream_options/include_usage").asBoolean()).isTrue();
        awaitMetered();
        assertThat(metered).containsExactly(new ModelTokens(120, 8, 100));
        assertThat(registry.scrape()).contains("chowder_model_tokens_total{organization=\"" + ORGANIZATION + "\",provider=\"openai\",type=\"input\"} 120.0")
                .contains("chowder_model_requests_total{organization=\"" + ORGANIZATION + "\",outcome=\"ok\",provider=\"openai\"} 1.0")
                .doesNotContain(ORG_KEY.value());
    }

    @Test
    void anthropicCallsCarryTheKeyAsXApiKeyAndTheirUsageCountsCacheReadsAndWrites() throws Exception {
        api = ModelApi.ANTHROPIC_MESSAGES;
        providerBase = provider.baseUrl("");
        provider.answer(ScriptedProvider.Answer.events(
                "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":10,"
                        + "\"cache_read_input_tokens\":5,\"cache_creation_input_tokens\":2,\"output_tokens\":1}}}\n\n",
                "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"delta\":{\"type\":\"text_delta\",\"text\":\"hi\"}}\n\n",
                "event: message_delta\ndata: {\"type\":\"message_delta\",\"usage\":{\"output_tokens\":7}}\n\n",
                "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"), false);
        HttpRequest request = HttpRequest.newBuilder(endpoint.uri().resolve("/providers/anthropic/v1/messages"))
                .header("x-api-key", CREDENTIAL)
                .header("anthropic-version", "2023-06-01")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m1\",\"stream\":true,\"max_tokens\":10,\"messages\":[]}"))
                .build();

        HttpResponse<String> response = gateway.send(request, HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("message_stop");
        ScriptedProvider.Call upstream = provider.nextCall(WAIT);
        assertThat(upstream.path()).isEqualTo("/v1/messages");
        assertThat(upstream.headers().getFirst("x-api-key")).isEqualTo(ORG_KEY.value());
        assertThat(upstream.headers().getFirst("anthropic-version")).isEqualTo("2023-06-01");
        assertThat(upstream.headers().containsKey("Authorization")).isFalse();
        awaitMetered();
        assertThat(metered).containsExactly(new ModelTokens(17, 7, 5));
    }

    @Test
    void aResponsesApiJsonAnswerIsMeteredFromItsUsage() throws Exception {
        api = ModelApi.OPENAI_RESPONSES;
        provider.answer(ScriptedProvider.Answer.json(200, "{\"id\":\"resp_1\",\"output\":[],\"usage\":{\"input_tokens\":30,"
                + "\"output_tokens\":4,\"input_tokens_details\":{\"cached_tokens\":3}}}"), false);

        HttpResponse<String> response = gateway.send(call("/providers/p/responses", "{\"model\":\"m1\",\"input\":\"hi\"}").build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(response.body()).path("id").asText()).isEqualTo("resp_1");
        assertThat(provider.nextCall(WAIT).path()).isEqualTo("/v1/responses");
        awaitMetered();
        assertThat(metered).containsExactly(new ModelTokens(30, 4, 3));
    }

    @Test
    void callsThatAreNotTheGrantedOneAreRefusedBeforeReachingTheProvider() throws Exception {
        assertRefused(call("/providers/openai/chat/completions", "{\"model\":\"m1\"}").setHeader("Authorization", "Bearer chm_other").build(),
                401, "Unknown model credential");
        assertRefused(HttpRequest.newBuilder(endpoint.uri().resolve("/providers/openai/chat/completions"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), 401, "credential");
        // Another call of the provider's API (files, batches, embeddings…) is not relayed.
        assertRefused(call("/providers/openai/files", "{\"model\":\"m1\"}").build(), 404, "chat/completions only");
        assertRefused(call("/elsewhere", "{}").build(), 404, "Not found");
        assertRefused(HttpRequest.newBuilder(endpoint.uri().resolve("/providers/openai/chat/completions"))
                .header("Authorization", "Bearer " + CREDENTIAL).GET().build(), 404, "POST");
        // A model the operator does not offer with this provider (a dearer one, say).
        assertRefused(call("/providers/openai/chat/completions", "{\"model\":\"o1-pro\"}").build(), 403, "model must be one of [m1]");
        assertRefused(call("/providers/openai/chat/completions", "not json").build(), 400, "must be JSON");
        assertRefused(call("/providers/openai/chat/completions", "{\"model\":\"m1\",\"pad\":\"" + "x".repeat(70_000) + "\"}").build(),
                413, "at most 65536 bytes");
        refusal = new LimitExceededException("Budget exceeded: this organization's tokens_per_day (1000 tokens) is spent.",
                Duration.ofSeconds(90), true);
        HttpResponse<String> limited = assertRefused(call("/providers/openai/chat/completions", "{\"model\":\"m1\"}").build(), 429,
                "tokens_per_day");
        assertThat(limited.headers().firstValue("Retry-After")).hasValue("90");
        // A spent budget is OpenAI's "insufficient_quota", which clients do not retry (a rate is "rate_limit_exceeded").
        assertThat(JSON.readTree(limited.body()).at("/error/type").asText()).isEqualTo("insufficient_quota");

        assertThat(provider.hasCall()).isFalse();
        // Nothing reached the provider: no model call is metered.
        assertThat(metered).isEmpty();
        assertThat(registry.scrape()).contains("chowder_model_refused_total{reason=\"insufficient_quota\"} 1.0")
                .contains("chowder_model_refused_total{reason=\"permission_denied\"} 1.0");
    }

    @Test
    void aGatewayThatGoesAwayMidStreamAbortsTheProvidersCall() throws Exception {
        provider.answer(ScriptedProvider.Answer.events(
                "data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\n",
                "data: {\"choices\":[{\"delta\":{\"content\":\"b\"}}]}\n\n",
                "data: {\"choices\":[{\"delta\":{\"content\":\"c\"}}]}\n\n",
                "data: {\"choices\":[{\"delta\":{\"content\":\"d\"}}]}\n\n",
                "data: {\"choices\":[{\"delta\":{\"content\":\"e\"}}]}\n\n",
                "data: [DONE]\n\n"), true);
        provider.release();
        HttpResponse<InputStream> response = gateway.send(call("/providers/openai/chat/completions", "{\"model\":\"m1\",\"stream\":true}").build(),
                HttpResponse.BodyHandlers.ofInputStream());
        BufferedReader events = new BufferedReader(new InputStreamReader(response.body(), UTF_8));
        assertThat(events.readLine()).contains("\"a\"");
        events.close();

        // Each event the provider writes after that meets a relay whose gateway is gone; it stops the provider's call.
        for (int i = 0; i < 5 && !provider.callerGone().isDone(); i++) {
            provider.release();
            Thread.sleep(200);
        }
        provider.callerGone().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        awaitMetered();
        assertThat(metered).hasSize(1);
    }

    @Test
    void anUnreachableProviderIsA502ThatNamesNoAddress() throws Exception {
        try (ServerSocket closed = new ServerSocket(0)) {
            providerBase = URI.create("http://127.0.0.1:" + closed.getLocalPort() + "/v1");
        }
        HttpResponse<String> response = gateway.send(call("/providers/openai/chat/completions", "{\"model\":\"m1\"}").build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(502);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("detail").asText()).isEqualTo("The model provider could not be reached.");
        assertThat(body.at("/error/message").asText()).isEqualTo(body.path("detail").asText());
        awaitMetered();
        assertThat(metered).containsExactly(ModelTokens.NONE);
    }

    private HttpRequest.Builder call(String path, String body) {
        return HttpRequest.newBuilder(endpoint.uri().resolve(path))
                .header("Authorization", "Bearer " + CREDENTIAL)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
    }

    private HttpResponse<String> assertRefused(HttpRequest request, int status, String detail) throws Exception {
        HttpResponse<String> response = gateway.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("detail").asText()).contains(detail);
        // OpenAI's and Anthropic's clients read error.message: the gateway's agent sees why.
        assertThat(body.at("/error/message").asText()).isEqualTo(body.path("detail").asText());
        assertThat(response.body()).doesNotContain(ORG_KEY.value());
        return response;
    }

    /** The meter is told after the last byte went out: a moment after the gateway read it. */
    private void awaitMetered() throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (metered.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }
}
