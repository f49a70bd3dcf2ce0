package chowder.adapter.http.model;

import chowder.domain.ModelTokens;
import chowder.domain.UsageLimits;
import java.util.OptionalLong;

/**
 * What a model call is assumed to use before (and, when the provider reports nothing, after) it runs. Input: a token
 * for every 4 bytes of the call's body (a token is about 4 characters of English; the body's JSON and any images only
 * add bytes, so this rarely falls short). Output: the most the call asked for ({@code max_tokens} and its kin, times
 * {@code n}), or the operator's assumption when it names none.
 *
 * @param requestedOutputTokens the output the call asked for at most, when it named a maximum
 * @param defaultOutputTokens the output assumed for a call that names none ({@code CHOWDER_MODEL_OUTPUT_ESTIMATE})
 */
record CallEstimate(long inputTokens, OptionalLong requestedOutputTokens, long defaultOutputTokens) {
    static CallEstimate of(int bodyBytes, OptionalLong maxTokens, OptionalLong choices, long defaultOutputTokens) {
        OptionalLong requested = maxTokens.isEmpty() ? OptionalLong.empty()
                : OptionalLong.of(saturatedProduct(maxTokens.getAsLong(), Math.max(1, choices.orElse(1))));
        return new CallEstimate(bodyBytes / 4, requested, defaultOutputTokens);
    }

    /** What is reserved in the organization's budgets while the call runs. */
    long reservation() {
        return clamp(inputTokens + requestedOutputTokens.orElse(defaultOutputTokens));
    }

    /**
     * What a call whose provider reported no usage is charged: its input, and as output a token for every 4 bytes of
     * the answer that came back, or, when a JSON answer did not arrive whole, all the output it asked for (the provider
     * may have written, and billed, all of it); never more output than it asked for.
     *
     * @param answerBytes the bytes of a 2xx answer relayed (a stream's events, framing included)
     * @param answerSeen whether what came back tells the output: a stream, or a JSON answer that arrived whole
     */
    ModelTokens charged(long answerBytes, boolean answerSeen) {
        long output = answerSeen ? answerBytes / 4 : requestedOutputTokens.orElse(defaultOutputTokens);
        if (requestedOutputTokens.isPresent()) {
            output = Math.min(output, requestedOutputTokens.getAsLong());
        }
        return ModelTokens.reported(inputTokens, output, 0);
    }

    private static long saturatedProduct(long one, long other) {
        return one > UsageLimits.MAX_VALUE / other ? UsageLimits.MAX_VALUE : one * other;
    }

    private static long clamp(long tokens) {
        return Math.clamp(tokens, 0, UsageLimits.MAX_VALUE);
    }
}
