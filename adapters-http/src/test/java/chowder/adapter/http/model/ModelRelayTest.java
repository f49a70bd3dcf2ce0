package chowder.adapter.http.model;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import chowder.domain.ModelApi;
import chowder.domain.ModelTokens;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A model call relayed to its provider and back, and metered from the usage the provider reported. */
class ModelRelayTest extends ModelEndpointTest {
    ModelRelayTest() throws Exception {}

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
}
