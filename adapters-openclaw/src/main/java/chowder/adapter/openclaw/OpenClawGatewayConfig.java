package chowder.adapter.openclaw;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * Limits of the gateway client: how long to wait for a TCP connection, how long a whole
 * non-streaming answer may take, and the largest answer body it accepts.
 */
public record OpenClawGatewayConfig(Duration connectTimeout, Duration responseTimeout, long maxResponseBytes) {
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    // Agent turns run tools and call models: minutes are normal, an hour is not.
    public static final Duration DEFAULT_RESPONSE_TIMEOUT = Duration.ofMinutes(10);
    public static final long DEFAULT_MAX_RESPONSE_BYTES = 64L * 1024 * 1024;

    public OpenClawGatewayConfig {
        requireNonNull(connectTimeout, "connectTimeout is null");
        requireNonNull(responseTimeout, "responseTimeout is null");
        if (connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw new IllegalArgumentException("connect timeout must be positive");
        }
        if (responseTimeout.isNegative() || responseTimeout.isZero()) {
            throw new IllegalArgumentException("response timeout must be positive");
        }
        if (maxResponseBytes < 1) {
            throw new IllegalArgumentException("max response bytes must be positive");
        }
    }

    public static OpenClawGatewayConfig defaults() {
        return new OpenClawGatewayConfig(DEFAULT_CONNECT_TIMEOUT, DEFAULT_RESPONSE_TIMEOUT, DEFAULT_MAX_RESPONSE_BYTES);
    }
}
