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

    public ModelTokens plus(ModelTokens other) {
        return new ModelTokens(inputTokens + other.inputTokens, outputTokens + other.outputTokens,
                cachedInputTokens + other.cachedInputTokens);
    }

    /** What a budget counts: every input and output token. */
    public long totalTokens() {
        return inputTokens + outputTokens;
    }
}
