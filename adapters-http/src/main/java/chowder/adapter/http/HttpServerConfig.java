package chowder.adapter.http;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * Where the API listens, the largest request body it reads, how long a stopping server lets in-flight
 * requests and streams finish, and whether anyone may create an organization through the API.
 */
public record HttpServerConfig(String host, int port, long maxRequestBytes, Duration shutdownGrace, boolean signupEnabled) {
    // The gateway's own documented limit: a larger body could never be answered anyway.
    public static final long DEFAULT_MAX_REQUEST_BYTES = 20L * 1024 * 1024;
    public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(30);

    public HttpServerConfig {
        requireNonNull(host, "host is null");
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be 0 to 65535");
        }
        if (maxRequestBytes < 1) {
            throw new IllegalArgumentException("max request bytes must be positive");
        }
        requireNonNull(shutdownGrace, "shutdownGrace is null");
        if (shutdownGrace.isNegative()) {
            throw new IllegalArgumentException("shutdown grace must not be negative");
        }
    }
}
