package chowder.adapter.openclaw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chowder.domain.ChowderException;
import chowder.domain.TokenUsage;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The usage of a JSON answer is read token by token: it must agree with what the stream's final event reports, value by value. */
class ReportedUsageTest {
    private static Optional<TokenUsage> answer(String usage) {
        return ofResponse("{\"id\":\"r\",\"output\":[{\"x\":[1,{\"usage\":{}}]}],\"usage\":" + usage + ",\"z\":null}");
    }

    private static Optional<TokenUsage> ofResponse(String body) {
        return readBothWays(body, (byte) '}', ReportedUsage::ofResponse);
    }

    private static Optional<TokenUsage> event(String usage) {
        return readBothWays("event: response.completed\ndata: {\"response\":{\"usage\":" + usage + "}}\n\n", (byte) '\n',
                ReportedUsage::ofCompletedEvent);
    }

    /**
     * What {@code reader} reads of {@code text} held as the relay holds answers and events: a view of a heap array with
     * other bytes ({@code filler}) around it (a copied answer's offsets), and a direct buffer (Jetty's own, kept). Both
     * read the same, and leave the view where it was.
     */
    private static Optional<TokenUsage> readBothWays(String text, byte filler, Function<ByteBuffer, Optional<TokenUsage>> reader) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        byte[] padded = new byte[bytes.length + 7];
        java.util.Arrays.fill(padded, filler);
        System.arraycopy(bytes, 0, padded, 4, bytes.length);
        ByteBuffer heap = ByteBuffer.wrap(padded, 1, bytes.length + 5).slice().position(3).limit(bytes.length + 3);
        ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length + 2).position(1);
        direct.put(bytes).flip().position(1);
        Optional<TokenUsage> fromHeap = reader.apply(heap);
        assertThat(reader.apply(direct)).as(text).isEqualTo(fromHeap);
        assertThat(heap.remaining()).isEqualTo(bytes.length);
        assertThat(direct.remaining()).isEqualTo(bytes.length);
        return fromHeap;
    }

    @Test
    void anAnswerAndAStreamReadTheSameUsageFromTheSameValues() {
        String[] usages = {
            "{\"input_tokens\":3,\"output_tokens\":2,\"total_tokens\":5,\"details\":{\"cached\":[1,2]}}",
            "{\"output_tokens\":7,\"input_tokens\":0}",
            "{\"input_tokens\":3.9,\"output_tokens\":2}",
            "{\"input_tokens\":-1,\"output_tokens\":2}",
            "{\"input_tokens\":\"3\",\"output_tokens\":2}",
            "{\"input_tokens\":3}",
            "{\"input_tokens\":99999999999999999999999,\"output_tokens\":2}",
            "{\"input_tokens\":null,\"output_tokens\":2}",
            "[3,2]",
            "null",
        };
        for (String usage : usages) {
            assertThat(answer(usage)).as(usage).isEqualTo(event(usage));
        }
        assertThat(answer(usages[0])).contains(new TokenUsage(3, 2));
        assertThat(answer(usages[2])).contains(new TokenUsage(3, 2));
        assertThat(answer(usages[3])).isEmpty();
        assertThat(answer(usages[4])).isEmpty();
    }

    @Test
    void theLastUsageOfAnAnswerCountsAndAnAnswerWithoutOneHasNone() {
        assertThat(ofResponse("{\"usage\":{\"input_tokens\":1,\"output_tokens\":1},\"usage\":{\"input_tokens\":4,\"output_tokens\":5}}"))
                .contains(new TokenUsage(4, 5));
        assertThat(ofResponse("{\"id\":\"r\"}")).isEmpty();
        assertThat(ofResponse("[1,2]")).isEmpty();
    }

    @Test
    void anAnswerThatIsNotOneJsonValueIsAGatewayFailure() {
        for (String body : new String[] {"", "{\"usage\":{\"input_tokens\":1,", "{} {}", "{\"a\":1}x", "not json"}) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            // The answer is the view's bytes only: a valid value around them does not make them one.
            ByteBuffer inValidJson = ByteBuffer.wrap(("[" + body + "]").getBytes(StandardCharsets.UTF_8), 1, bytes.length).slice();
            ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
            for (ByteBuffer view : new ByteBuffer[] {inValidJson, direct}) {
                assertThatThrownBy(() -> ReportedUsage.ofResponse(view)).as(body)
                        .isInstanceOf(ChowderException.class).hasMessage("Gateway error – its answer is not valid JSON.");
            }
        }
    }
}
