package chowder.adapter.http;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * Whether {@code GET /metrics} is served, and the bearer token it then requires (none: open like {@code /healthz},
 * for a scraper on a private network). The token is never part of {@link #toString()}.
 */
public record MetricsConfig(boolean enabled, Optional<String> bearerToken) {
    public static final int MIN_TOKEN_LENGTH = 16;

    public MetricsConfig {
        requireNonNull(bearerToken, "bearerToken is null");
        if (bearerToken.isPresent() && bearerToken.get().length() < MIN_TOKEN_LENGTH) {
            throw new IllegalArgumentException("must be at least " + MIN_TOKEN_LENGTH + " characters");
        }
    }

    /** Served, without a token. */
    public static MetricsConfig open() {
        return new MetricsConfig(true, Optional.empty());
    }

    @Override
    public String toString() {
        return "MetricsConfig[enabled=" + enabled + ", bearerToken=" + (bearerToken.isPresent() ? "set" : "none") + "]";
    }
}
