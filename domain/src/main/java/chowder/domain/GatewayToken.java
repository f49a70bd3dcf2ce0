package chowder.domain;

import static java.util.Objects.requireNonNull;

/**
 * The bearer token of an OpenClaw gateway: full operator access to it, so it is write-only in the
 * API, encrypted at rest, and redacted by {@link #toString()}. Messages about it never quote it.
 */
public record GatewayToken(String value) {
    public static final int MAX_LENGTH = 4096;

    public GatewayToken {
        requireNonNull(value, "value is null");
        if (value.isEmpty() || value.length() > MAX_LENGTH) {
            throw ChowderException.validationFailed("gateway_token must be 1 to " + MAX_LENGTH + " characters.");
        }
        // It travels in an HTTP header: visible ASCII only, so nothing can split or smuggle a header.
        if (!value.chars().allMatch(c -> c >= 0x21 && c <= 0x7e)) {
            throw ChowderException.validationFailed("gateway_token must consist of visible ASCII characters.");
        }
    }

    @Override
    public String toString() {
        return "GatewayToken[redacted]";
    }
}
