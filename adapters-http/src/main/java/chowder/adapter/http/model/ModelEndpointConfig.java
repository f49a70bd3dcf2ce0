package chowder.adapter.http.model;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * Chowder's model endpoint, where provisioned gateways reach their provider: its loopback port ({@code 0}: any free
 * one), how long connecting to a provider and a silence inside its answer may last, the largest call it relays, and
 * the largest answer (or stream event) it reads usage from.
 */
public record ModelEndpointConfig(int port, Duration connectTimeout, Duration idleTimeout, int maxRequestBytes, int maxUsageBytes) {
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(5);
    public static final int DEFAULT_MAX_REQUEST_BYTES = 32 * 1024 * 1024;
    public static final int DEFAULT_MAX_USAGE_BYTES = 8 * 1024 * 1024;
    public static final ModelEndpointConfig DEFAULTS = new ModelEndpointConfig(0, DEFAULT_CONNECT_TIMEOUT, DEFAULT_IDLE_TIMEOUT,
            DEFAULT_MAX_REQUEST_BYTES, DEFAULT_MAX_USAGE_BYTES);

    public ModelEndpointConfig {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("the port must be 0 to 65535");
        }
        requireNonNull(connectTimeout, "connectTimeout is null");
        requireNonNull(idleTimeout, "idleTimeout is null");
        if (connectTimeout.isNegative() || connectTimeout.isZero() || idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("timeouts must be positive");
        }
        if (maxRequestBytes < 1024 || maxUsageBytes < 1024) {
            throw new IllegalArgumentException("byte limits must be at least 1024");
        }
    }
}
