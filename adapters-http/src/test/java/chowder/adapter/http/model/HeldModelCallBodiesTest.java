package chowder.adapter.http.model;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A call's body is held until the call ends, under the budget request bodies share: an organization whose calls hold
 * its half is refused the next one (503, with a Retry-After), and what a call held is given back when it ends.
 */
class HeldModelCallBodiesTest extends ModelEndpointTest {
    // Bodies of 40,000 bytes: a streamed call's is held once, and twice for a moment (received, and copied with the usage
    // option inserted).
    private static final String PADDING = "x".repeat(40_000 - 80);

    HeldModelCallBodiesTest() throws Exception {}

    @Override
    protected long heldBodiesMax() {
        // The organization may hold 100 KiB: one streamed call of 40,000 bytes, not two (the second's copy would not fit).
        return 200 * 1024;
    }

    @Test
    void aCallBeyondTheOrganizationsShareOfHeldBodiesIs503AndTheShareReturnsWhenCallsEnd() throws Exception {
        provider.answer(ScriptedProvider.Answer.events("data: {\"choices\":[],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1}}\n\n",
                "data: [DONE]\n\n"), true);
        String body = "{\"model\":\"m1\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"" + PADDING + "\"}]}";
        CompletableFuture<HttpResponse<InputStream>> first = gateway.sendAsync(call("/providers/openai/chat/completions", body).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        provider.nextCall(WAIT);
        assertThat(heldBodies.total()).isBetween((long) body.length(), 2L * body.length());

        HttpResponse<String> refused = gateway.send(call("/providers/openai/chat/completions", body).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.headers().firstValue("Retry-After")).contains("5");
        assertThat(JSON.readTree(refused.body()).at("/error/message").asText())
                .isEqualTo("Chowder is busy – the request bodies it holds in memory have reached their limit; retry in a moment.");
        assertThat(provider.hasCall()).isFalse();
        assertThat(registry.scrape()).contains("chowder_model_refused_total{reason=\"overloaded\"} 1.0");

        provider.release();
        provider.release();
        try (InputStream events = first.get(30, TimeUnit.SECONDS).body()) {
            assertThat(new String(events.readAllBytes(), UTF_8)).endsWith("data: [DONE]\n\n");
        }
        awaitNothingHeld();

        provider.answer(ScriptedProvider.Answer.json(200, "{\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1}}"), false);
        String small = "{\"model\":\"m1\",\"messages\":[]}";
        assertThat(gateway.send(call("/providers/openai/chat/completions", small).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                .isEqualTo(200);
        awaitNothingHeld();
    }

    private void awaitNothingHeld() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (heldBodies.total() != 0) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("still held after 30 s: " + heldBodies.total());
            }
            Thread.sleep(10);
        }
    }
}
