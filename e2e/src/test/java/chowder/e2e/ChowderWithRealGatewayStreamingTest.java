package chowder.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import chowder.e2e.ChowderApi.StreamedAnswer;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Streamed answers through Chowder from a real OpenClaw gateway ({@link GatewayPairEnvironment}): the gateway's events
 * relayed then {@code [DONE]}, and the first delta at the client long before the model writes its last.
 */
class ChowderWithRealGatewayStreamingTest extends GatewayPairTestBase {
    @Test
    void streamRelaysTheGatewaysEventsThenDone() {
        StreamedAnswer answer = api.postAndReadLines(ChowderApi.sessionResponsesPath(alphaId, "stream-1"),
                organization.apiKey(), requestBody("stream me").put("stream", true).toString());

        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        assertThat(answer.headers().firstValue("content-type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("text/event-stream"));
        assertThat(answer.headers().firstValue("cache-control")).contains("no-cache");
        assertThat(answer.headers().firstValue("x-accel-buffering")).contains("no");
        StreamedEvents events = StreamedEvents.of(answer.lines());
        assertThat(events.types()).as(answer.body())
                .startsWith("response.created", "response.in_progress")
                .contains("response.output_item.added", "response.output_text.delta", "response.output_text.done")
                .endsWith("response.completed");
        assertThat(events.data().getLast()).isEqualTo("[DONE]");
        ScriptedReply reply = ScriptedReply.parse(events.deltaText());
        assertThat(reply.turns()).isEqualTo(1);
        assertThat(reply.first()).isEqualTo("stream me");

        // The streamed turn is part of the session's history like any other.
        assertThat(turn(alphaId, "stream-1", "after the stream").turns()).isEqualTo(2);
    }

    @Test
    void firstStreamedDeltaReachesTheClientLongBeforeTheLastIsProduced() {
        int chunks = 6;
        long gapMillis = 1_000;
        String input = "slow:" + chunks + ":" + gapMillis + " stream slowly";

        StreamedAnswer answer = api.postAndReadLines(ChowderApi.sessionResponsesPath(alphaId, "stream-slow"),
                organization.apiKey(), requestBody(input).put("stream", true).toString());

        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        StreamedEvents events = StreamedEvents.of(answer.lines());
        assertThat(ScriptedReply.parse(events.deltaText()).last()).isEqualTo(input);
        List<Instant> deltas = events.deltaArrivals();
        assertThat(deltas).as(answer.body()).hasSizeGreaterThanOrEqualTo(2);
        Instant modelReceived = modelRequestWithLastText(input).receivedAt();
        // The model writes its last chunk (chunks - 1) gaps after it received the request.
        Instant lastProduced = modelReceived.plusMillis((chunks - 1) * gapMillis);
        assertThat(deltas.getFirst()).as("first delta vs. last chunk produced at %s", lastProduced)
                .isBefore(lastProduced.minusMillis(1_000));
        assertThat(deltas.getLast()).as("last delta vs. last chunk produced").isAfterOrEqualTo(lastProduced);
    }
}
