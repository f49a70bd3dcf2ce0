package chowder.domain;

import static java.util.Objects.requireNonNull;

/**
 * An organization's (or the operator's) key for a model provider: write-only in the API, encrypted at rest, put on
 * upstream calls by Chowder and never given to a gateway. {@link #toString()} hides it; messages never quote it.
 */
public record ModelApiKey(String value) {
    public static final int MAX_LENGTH = 4096;

    public ModelApiKey {
        requireNonNull(value, "value is null");
        if (value.isEmpty() || value.length() > MAX_LENGTH) {
            throw ChowderException.validationFailed("a model API key must be 1 to " + MAX_LENGTH + " characters.");
        }
        // It travels in an HTTP header: visible ASCII only, so nothing can split or smuggle a header.
        if (!value.chars().allMatch(c -> c >= 0x21 && c <= 0x7e)) {
            throw ChowderException.validationFailed("a model API key must consist of visible ASCII characters.");
        }
    }

    @Override
    public String toString() {
        return "ModelApiKey[redacted]";
    }
}
