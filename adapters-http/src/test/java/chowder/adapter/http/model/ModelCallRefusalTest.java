package chowder.adapter.http.model;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import chowder.application.port.in.AuthorizeModelCallUseCase.Account;
import chowder.domain.LimitExceededException;
import chowder.domain.ModelApi;
import chowder.domain.ModelTokens;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Model calls refused before they reach the provider, and provider errors that would tell too much. */
class ModelCallRefusalTest extends ModelEndpointTest {
    ModelCallRefusalTest() throws Exception {}

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
}
