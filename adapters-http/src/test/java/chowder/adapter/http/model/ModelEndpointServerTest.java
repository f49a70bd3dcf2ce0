package chowder.adapter.http.model;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import chowder.application.port.in.AuthorizeModelCallUseCase;
import chowder.application.port.in.AuthorizeModelCallUseCase.Account;
import chowder.application.port.in.AuthorizeModelCallUseCase.ModelCallGrant;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.InstanceId;
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
    private static final ModelApiKey OPERATOR_KEY = new ModelApiKey("sk-operator-shared-secret");
    private static final OrganizationId ORGANIZATION = new OrganizationId(UUID.randomUUID());
    private static final InstanceId INSTANCE = InstanceId.random();
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final ScriptedProvider provider = new ScriptedProvider();
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final List<ModelTokens> metered = new CopyOnWriteArrayList<>();
    private final List<Long> estimates = new CopyOnWriteArrayList<>();
    private final List<String> meteringThreads = new CopyOnWriteArrayList<>();
    private final HttpClient gateway = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private volatile ModelApi api = ModelApi.OPENAI_COMPLETIONS;
    private volatile URI providerBase;
    private volatile Account account = Account.ORGANIZATION;
    private volatile RuntimeException refusal;
    private ModelEndpointServer endpoint;

    ModelEndpointServerTest() throws Exception {}

    @BeforeEach
    void start() throws Exception {
        providerBase = provider.baseUrl("/v1");
        AuthorizeModelCallUseCase calls = (credential, name) -> {
            if (!CREDENTIAL.equals(credential)) {
                throw new ChowderException(ErrorCode.INVALID_API_KEY, "Unknown model credential.");
            }
            Optional<ModelApiKey> key = Optional.of(account == Account.ORGANIZATION ? ORG_KEY : OPERATOR_KEY);
            return new ModelCallGrant(ORGANIZATION, INSTANCE, providerBase, api, Set.of("m1"), key, account, estimate -> {
                if (refusal != null) {
                    throw refusal;
                }
                estimates.add(estimate);
                return tokens -> {
                    meteringThreads.add(Thread.currentThread().getName());
                    metered.add(tokens);
                };
            });
        };
        // Two calls at once per instance; 4096 output tokens assumed for a call that names no maximum.
        endpoint = TestEndpoint.started(64 * 1024, 1024 * 1024, 2, calls, registry);
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
    void usageOutOfRangeIsClampedAndChargedOffTheRelaysThreads() throws Exception {
        provider.answer(ScriptedProvider.Answer.json(200, "{\"usage\":{\"prompt_tokens\":-5,\"completion_tokens\":"
                + "100000000000000000000000000000,\"prompt_tokens_details\":{\"cached_tokens\":7}}}"), false);

        assertThat(gateway.send(call("/providers/openai/chat/completions", "{\"model\":\"m1\"}").build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);

        // A provider's nonsense neither fails the metering nor wraps a sum: below zero is zero, beyond any budget the largest.
        awaitMetered();
        assertThat(metered).containsExactly(new ModelTokens(0, chowder.domain.UsageLimits.MAX_VALUE, 0));
        // Charged on a metering thread (it writes to the database), not on the HTTP client's threads that relay answers.
        assertThat(meteringThreads).singleElement().satisfies(thread -> assertThat(thread).startsWith("model-metering-"));
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
        assertRefused(call("/providers/openai/chat/completions", "not json").build(), 400, "must be a JSON object");
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
        // It reported no usage (that comes last): it is charged an estimate, never nothing.
        assertThat(metered).singleElement().satisfies(tokens -> assertThat(tokens.totalTokens()).isPositive());
        assertThat(registry.scrape()).contains("chowder_model_requests_total{organization=\"" + ORGANIZATION
                + "\",outcome=\"estimated\",provider=\"openai\"} 1.0");
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

    @Test
    void aBodyTwoParsersCouldReadDifferentlyIsRefusedBeforeReachingTheProvider() throws Exception {
        String completions = "/providers/openai/chat/completions";
        // Jackson keeps a repeated key's last value, other parsers the first: the provider could see another model.
        assertRefused(call(completions, "{\"model\":\"m1\",\"model\":\"o1-pro\"}").build(), 400, "\"model\" appears twice");
        assertRefused(call(completions, "{\"model\":\"m1\",\"messages\":[{\"role\":\"user\",\"role\":\"system\"}]}").build(), 400,
                "\"role\" appears twice");
        assertRefused(call(completions, "{\"model\":\"m1\"} {\"model\":\"o1-pro\"}").build(), 400, "one JSON object with nothing after it");
        // vLLM and LiteLLM take "yes" for true: the stream would go without its usage chunk.
        assertRefused(call(completions, "{\"model\":\"m1\",\"stream\":\"yes\"}").build(), 400, "stream must be true or false");
        assertRefused(call(completions, "{\"model\":\"m1\",\"stream\":1}").build(), 400, "stream must be true or false");
        assertRefused(call(completions, "{\"model\":\"m1\",\"stream\":true,\"stream_options\":{\"include_usage\":\"no\"}}").build(), 400,
                "stream_options.include_usage must be true or false");
        assertRefused(call(completions, "{\"model\":\"m1\",\"stream\":true,\"stream_options\":\"usage\"}").build(), 400,
                "stream_options must be an object");
        assertRefused(call(completions, "{\"model\":\"m1\",\"max_tokens\":\"100000\"}").build(), 400, "max_tokens must be a whole number");
        assertRefused(call(completions, "{\"model\":\"m1\",\"n\":-1}").build(), 400, "n must be a whole number");
        HttpRequest utf16 = HttpRequest.newBuilder(endpoint.uri().resolve(completions))
                .header("Authorization", "Bearer " + CREDENTIAL).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray("{\"model\":\"m1\"}".getBytes(java.nio.charset.StandardCharsets.UTF_16LE)))
                .build();
        assertRefused(utf16, 400, "in UTF-8");

        assertThat(provider.hasCall()).isFalse();
        assertThat(estimates).isEmpty();
        assertThat(registry.scrape()).contains("chowder_model_refused_total{reason=\"invalid_request\"} 10.0");
    }

    @Test
    void theBodyGoesUpstreamAsSentSaveTheUsageChunkItAsksFor() throws Exception {
        provider.answer(ScriptedProvider.Answer.events("data: [DONE]\n\n"), false);
        String completions = "/providers/openai/chat/completions";
        String exotic = "\"temperature\":0.70,\"seed\":12345678901234567890123,\"text\":\"h\\u00e9 ☃\"";

        assertThat(upstreamBodyOf(completions, "{\"model\":\"m1\"," + exotic + "}")).isEqualTo("{\"model\":\"m1\"," + exotic + "}");
        assertThat(upstreamBodyOf(completions, "{\"model\":\"m1\",\"stream\":true," + exotic + "}"))
                .isEqualTo("{\"stream_options\":{\"include_usage\":true},\"model\":\"m1\",\"stream\":true," + exotic + "}");
        assertThat(upstreamBodyOf(completions, "{\"model\":\"m1\",\"stream\":true,\"stream_options\":{\"include_usage\" : false,\"x\":1}}"))
                .isEqualTo("{\"model\":\"m1\",\"stream\":true,\"stream_options\":{\"include_usage\" : true,\"x\":1}}");
        assertThat(upstreamBodyOf(completions, "{\"model\":\"m1\",\"stream\":true,\"stream_options\":{\"x\":1}}"))
                .isEqualTo("{\"model\":\"m1\",\"stream\":true,\"stream_options\":{\"include_usage\":true,\"x\":1}}");
        assertThat(upstreamBodyOf(completions, "{\"model\":\"m1\",\"stream\":true,\"stream_options\":{ }}"))
                .isEqualTo("{\"model\":\"m1\",\"stream\":true,\"stream_options\":{\"include_usage\":true }}");
        assertThat(upstreamBodyOf(completions, "{\"model\":\"m1\",\"stream\":true,\"stream_options\":null}"))
                .isEqualTo("{\"model\":\"m1\",\"stream\":true,\"stream_options\":{\"include_usage\":true}}");
    }

    @Test
    void eachCallIsAdmittedWithAnEstimateOfItsTokens() throws Exception {
        String body = "{\"model\":\"m1\",\"max_completion_tokens\":100,\"n\":3,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        assertThat(upstreamBodyOf("/providers/openai/chat/completions", body)).isEqualTo(body);
        // A token per 4 bytes of the call, and all the output it may ask for.
        assertThat(estimates).containsExactly(body.length() / 4 + 300L);

        estimates.clear();
        String unbounded = "{\"model\":\"m1\",\"messages\":[]}";
        upstreamBodyOf("/providers/openai/chat/completions", unbounded);
        assertThat(estimates).containsExactly(unbounded.length() / 4 + 4096L);
    }

    @Test
    void callsForWhatIsBilledBeyondTokensAreRefusedAndFunctionToolsPass() throws Exception {
        String completions = "/providers/openai/chat/completions";
        assertRefused(call(completions, "{\"model\":\"m1\",\"service_tier\":\"priority\"}").build(), 400, "service_tier \"priority\" is not allowed");
        assertRefused(call(completions, "{\"model\":\"m1\",\"web_search_options\":{}}").build(), 400, "web_search_options is not allowed");
        assertRefused(call(completions, "{\"model\":\"m1\",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}},{\"type\":\"web_search\"}]}")
                .build(), 400, "tools[1] of type \"web_search\" is not a function tool: the provider's own tools (web search, code "
                + "execution, …) are billed beyond tokens");
        api = ModelApi.OPENAI_RESPONSES;
        assertRefused(call("/providers/p/responses", "{\"model\":\"m1\",\"background\":true}").build(), 400, "background: true is not allowed");
        assertRefused(call("/providers/p/responses", "{\"model\":\"m1\",\"tools\":[{\"type\":\"code_interpreter\",\"container\":{}}]}").build(),
                400, "of type \"code_interpreter\"");
        api = ModelApi.ANTHROPIC_MESSAGES;
        providerBase = provider.baseUrl("");
        assertRefused(anthropicCall("{\"model\":\"m1\",\"max_tokens\":10,\"tools\":[{\"type\":\"web_search_20250305\",\"name\":\"web_search\"}]}")
                .build(), 400, "of type \"web_search_20250305\"");
        assertThat(provider.hasCall()).isFalse();
        assertThat(registry.scrape()).contains("chowder_model_refused_total{reason=\"server_tool\"} 4.0")
                .contains("chowder_model_refused_total{reason=\"service_tier\"} 1.0")
                .contains("chowder_model_refused_total{reason=\"background\"} 1.0");

        // What OpenClaw sends passes: function tools (an Anthropic tool with no type, or "custom"), no tier or "auto".
        provider.answer(ScriptedProvider.Answer.json(200, "{}"), false);
        String anthropicTools = "{\"model\":\"m1\",\"max_tokens\":10,\"service_tier\":\"auto\",\"tools\":[{\"name\":\"exec\",\"input_schema\":{}},"
                + "{\"type\":\"custom\",\"name\":\"read\",\"input_schema\":{}}]}";
        assertThat(gateway.send(anthropicCall(anthropicTools).build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        assertThat(provider.nextCall(WAIT).body()).isEqualTo(anthropicTools);
        api = ModelApi.OPENAI_RESPONSES;
        providerBase = provider.baseUrl("/v1");
        String responsesTools = "{\"model\":\"m1\",\"service_tier\":\"flex\",\"tools\":[{\"type\":\"function\",\"name\":\"exec\"}]}";
        assertThat(upstreamBodyOf("/providers/p/responses", responsesTools)).isEqualTo(responsesTools);
    }

    @Test
    void onTheOperatorsSharedAccountNoResponseIsStoredOrContinued() throws Exception {
        api = ModelApi.OPENAI_RESPONSES;
        account = Account.OPERATOR;
        String responses = "/providers/p/responses";
        assertRefused(call(responses, "{\"model\":\"m1\",\"previous_response_id\":\"resp_of_someone_else\"}").build(), 400,
                "previous_response_id is not allowed: this call runs on the operator's account");
        assertRefused(call(responses, "{\"model\":\"m1\",\"conversation\":\"conv_1\"}").build(), 400, "conversation is not allowed");
        assertRefused(call(responses, "{\"model\":\"m1\",\"store\":true}").build(), 400, "store: true is not allowed");
        assertThat(provider.hasCall()).isFalse();

        // Responses are stored unless a call says otherwise: Chowder says so for it.
        assertThat(upstreamBodyOf(responses, "{\"model\":\"m1\",\"input\":\"hi\"}")).isEqualTo("{\"store\":false,\"model\":\"m1\",\"input\":\"hi\"}");
        assertThat(upstreamBodyOf(responses, "{\"model\":\"m1\",\"store\":false}")).isEqualTo("{\"model\":\"m1\",\"store\":false}");
        // On its own key an organization keeps what is its own.
        account = Account.ORGANIZATION;
        assertThat(upstreamBodyOf(responses, "{\"model\":\"m1\",\"previous_response_id\":\"resp_1\",\"store\":true}"))
                .isEqualTo("{\"model\":\"m1\",\"previous_response_id\":\"resp_1\",\"store\":true}");
    }

    @Test
    void onlyTheAnthropicBetasTheOperatorListsGoUpstream() throws Exception {
        api = ModelApi.ANTHROPIC_MESSAGES;
        providerBase = provider.baseUrl("");
        provider.answer(ScriptedProvider.Answer.json(200, "{}"), false);
        String body = "{\"model\":\"m1\",\"max_tokens\":10}";

        gateway.send(anthropicCall(body).header("anthropic-beta", "context-1m-2025-08-07, fine-grained-tool-streaming-2025-05-14")
                .header("anthropic-beta", "interleaved-thinking-2025-05-14").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(provider.nextCall(WAIT).headers().get("anthropic-beta"))
                .containsExactly("fine-grained-tool-streaming-2025-05-14,interleaved-thinking-2025-05-14");
        // The premium 1M context window alone: the call goes on without it.
        assertThat(gateway.send(anthropicCall(body).header("anthropic-beta", "context-1m-2025-08-07").build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        assertThat(provider.nextCall(WAIT).headers().containsKey("anthropic-beta")).isFalse();
    }

    @Test
    void providerErrorsOnTheOperatorsAccountAreReplacedAndAKeyRefusalNeverQuotesTheKey() throws Exception {
        account = Account.OPERATOR;
        String completions = "/providers/openai/chat/completions";
        provider.answer(ScriptedProvider.Answer.json(429, "{\"error\":{\"message\":\"Rate limit reached for gpt-4.1 in organization "
                + "org-OperatorSecret123 on tokens per min (TPM): Limit 30000, Used 29750, Requested 900.\",\"type\":\"tokens\","
                + "\"code\":\"rate_limit_exceeded\"}}"), false);
        HttpResponse<String> limited = gateway.send(call(completions, "{\"model\":\"m1\"}").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.headers().firstValue("Retry-After")).hasValue("7");
        assertThat(limited.body()).doesNotContain("OperatorSecret").doesNotContain("29750").doesNotContain("TPM");
        JsonNode rate = JSON.readTree(limited.body());
        assertThat(rate.at("/error/type").asText()).isEqualTo("rate_limit_exceeded");
        assertThat(rate.at("/error/code").asText()).isEqualTo("rate_limit_exceeded");
        assertThat(rate.path("detail").asText()).isEqualTo("The provider's rate limit for this account is reached (429); retry later.");

        // A context overflow still reads as one (OpenClaw compacts the conversation on "context length exceeded").
        provider.answer(ScriptedProvider.Answer.json(400, "{\"error\":{\"message\":\"This model's maximum context length is 128000 tokens. "
                + "However, your messages resulted in 130512 tokens (org-OperatorSecret123).\",\"type\":\"invalid_request_error\","
                + "\"code\":\"context_length_exceeded\"}}"), false);
        HttpResponse<String> overflow = gateway.send(call(completions, "{\"model\":\"m1\"}").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(overflow.statusCode()).isEqualTo(400);
        assertThat(overflow.body()).doesNotContain("OperatorSecret");
        assertThat(JSON.readTree(overflow.body()).at("/error/message").asText()).startsWith("context length exceeded");
        assertThat(JSON.readTree(overflow.body()).at("/error/code").asText()).isEqualTo("context_length_exceeded");

        // On an organization's own key, the provider's refusal of that key can quote it: it is replaced too.
        account = Account.ORGANIZATION;
        provider.answer(ScriptedProvider.Answer.json(401, "{\"error\":{\"message\":\"Incorrect API key provided: sk-org-a***cret. You can "
                + "find your API key at https://platform.openai.com/account/api-keys.\",\"type\":\"invalid_request_error\","
                + "\"code\":\"invalid_api_key\"}}"), false);
        HttpResponse<String> refused = gateway.send(call(completions, "{\"model\":\"m1\"}").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.body()).doesNotContain("sk-org").doesNotContain("cret");
        assertThat(JSON.readTree(refused.body()).path("detail").asText()).startsWith("The provider refused this organization's model key for "
                + "openai (401)");
        // Its other errors are about its own account, and pass as the provider wrote them.
        String own = "{\"error\":{\"message\":\"Invalid schema for function 'exec'.\",\"type\":\"invalid_request_error\"}}";
        provider.answer(ScriptedProvider.Answer.json(400, own), false);
        HttpResponse<String> invalid = gateway.send(call(completions, "{\"model\":\"m1\"}").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(invalid.statusCode()).isEqualTo(400);
        assertThat(invalid.body()).isEqualTo(own);

        awaitMetered(4);
        assertThat(metered).containsOnly(ModelTokens.NONE);
        assertThat(registry.scrape()).contains("chowder_model_requests_total{organization=\"" + ORGANIZATION
                + "\",outcome=\"provider_error\",provider=\"openai\"} 4.0");
    }

    @Test
    void anInstanceOverItsCallsAtOnceIsRefusedAtOnceAndLetInWhenOneEnds() throws Exception {
        provider.answer(ScriptedProvider.Answer.events("data: {\"choices\":[]}\n\n", "data: [DONE]\n\n"), true);
        String completions = "/providers/openai/chat/completions";
        String body = "{\"model\":\"m1\",\"stream\":true}";
        var first = gateway.sendAsync(call(completions, body).build(), HttpResponse.BodyHandlers.ofString());
        var second = gateway.sendAsync(call(completions, body).build(), HttpResponse.BodyHandlers.ofString());
        provider.nextCall(WAIT);
        provider.nextCall(WAIT);

        HttpResponse<String> third = assertRefused(call(completions, body).build(), 429, "an instance may have 2 running");
        assertThat(third.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(JSON.readTree(third.body()).at("/error/type").asText()).isEqualTo("rate_limit_exceeded");
        assertThat(provider.hasCall()).isFalse();
        assertThat(registry.scrape()).contains("chowder_model_refused_total{reason=\"concurrent_calls\"} 1.0");

        for (int i = 0; i < 4; i++) {
            provider.release();
        }
        assertThat(first.get(WAIT.toSeconds(), TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        assertThat(second.get(WAIT.toSeconds(), TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        provider.answer(ScriptedProvider.Answer.events("data: [DONE]\n\n"), false);
        assertThat(gateway.send(call(completions, body).build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
    }

    /** Sends a call that the provider answers 200, and returns the body the provider received. */
    private String upstreamBodyOf(String path, String body) throws Exception {
        if (provider.answerStatus() != 200) {
            provider.answer(ScriptedProvider.Answer.json(200, "{}"), false);
        }
        HttpResponse<String> response = gateway.send(call(path, body).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return provider.nextCall(WAIT).body();
    }

    private HttpRequest.Builder anthropicCall(String body) {
        return HttpRequest.newBuilder(endpoint.uri().resolve("/providers/anthropic/v1/messages"))
                .header("x-api-key", CREDENTIAL)
                .header("anthropic-version", "2023-06-01")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
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

    /** The meter is told after the last byte went out, off the relay's threads: a moment after the gateway read it. */
    private void awaitMetered() throws InterruptedException {
        awaitMetered(1);
    }

    private void awaitMetered(int calls) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (metered.size() < calls && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }
}
