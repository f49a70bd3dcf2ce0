package chowder.adapter.openclaw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chowder.domain.ChowderException;
import chowder.domain.TokenUsage;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The usage of a JSON answer is read token by token: it must agree with what the stream's final event reports, value by value. */
class ReportedUsageTest {
    private static Optional<TokenUsage> answer(String usage) {
        return ReportedUsage.ofResponse(("{\"id\":\"r\",\"output\":[{\"x\":[1,{\"usage\":{}}]}],\"usage\":" + usage + ",\"z\":null}")
                .getBytes(StandardCharsets.UTF_8));
    }

    private static Optional<TokenUsage> event(String usage) {
        return ReportedUsage.ofCompletedEvent(ByteBuffer.wrap(("event: response.completed\ndata: {\"response\":{\"usage\":" + usage
                + "}}\n\n").getBytes(StandardCharsets.UTF_8)));
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
        assertThat(ReportedUsage.ofResponse("{\"usage\":{\"input_tokens\":1,\"output_tokens\":1},\"usage\":{\"input_tokens\":4,\"output_tokens\":5}}"
                .getBytes(StandardCharsets.UTF_8))).contains(new TokenUsage(4, 5));
        assertThat(ReportedUsage.ofResponse("{\"id\":\"r\"}".getBytes(StandardCharsets.UTF_8))).isEmpty();
        assertThat(ReportedUsage.ofResponse("[1,2]".getBytes(StandardCharsets.UTF_8))).isEmpty();
    }

    @Test
    void anAnswerThatIsNotOneJsonValueIsAGatewayFailure() {
        for (String body : new String[] {"", "{\"usage\":{\"input_tokens\":1,", "{} {}", "{\"a\":1}x", "not json"}) {
            assertThatThrownBy(() -> ReportedUsage.ofResponse(body.getBytes(StandardCharsets.UTF_8))).as(body)
                    .isInstanceOf(ChowderException.class).hasMessage("Gateway error – its answer is not valid JSON.");
        }
    }
}
