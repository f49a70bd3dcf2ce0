package chowder.domain;

/**
 * Tokens of one or more model calls as the provider reported them: input (including cached input), output, and the
 * part of the input read from the provider's cache.
 */
public record ModelTokens(long inputTokens, long outputTokens, long cachedInputTokens) {
    public static final ModelTokens NONE = new ModelTokens(0, 0, 0);

    public ModelTokens {
        if (inputTokens < 0 || outputTokens < 0 || cachedInputTokens < 0) {
            throw new IllegalArgumentException("token counts are never negative");
        }
    }

    /**
     * Tokens as a provider reported them, made sane: a provider's number below zero counts as zero and one beyond any
     * budget as {@link UsageLimits#MAX_VALUE} (so sums never overflow), and cached input is part of the input.
     */
    public static ModelTokens reported(long inputTokens, long outputTokens, long cachedInputTokens) {
        long input = clamp(inputTokens);
        return new ModelTokens(input, clamp(outputTokens), Math.min(clamp(cachedInputTokens), input));
    }

    private static long clamp(long tokens) {
        return Math.clamp(tokens, 0, UsageLimits.MAX_VALUE);
    }

    public ModelTokens plus(ModelTokens other) {
        return new ModelTokens(inputTokens + other.inputTokens, outputTokens + other.outputTokens,
                cachedInputTokens + other.cachedInputTokens);
    }

    /** What a budget counts: every input and output token. */
    public long totalTokens() {
        return inputTokens + outputTokens;
    }
}
