package chowder.domain;

import static java.util.Objects.requireNonNull;

import java.util.regex.Pattern;

/**
 * The name of a model provider: one of the hosted API's ({@code anthropic}, {@code openai}, {@code gemini}) or one
 * the operator configured. Lower-case letters, digits, {@code _} and {@code -}.
 */
public record ModelProviderName(String value) implements Comparable<ModelProviderName> {
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");
    public static final ModelProviderName ANTHROPIC = new ModelProviderName("anthropic");
    public static final ModelProviderName OPENAI = new ModelProviderName("openai");
    public static final ModelProviderName GEMINI = new ModelProviderName("gemini");

    public ModelProviderName {
        requireNonNull(value, "value is null");
        if (!NAME.matcher(value).matches()) {
            throw ChowderException.validationFailed("a model provider name is 1 to 64 lower-case letters, digits, '_' or '-' "
                    + "starting with a letter or digit.");
        }
    }

    @Override
    public int compareTo(ModelProviderName other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
