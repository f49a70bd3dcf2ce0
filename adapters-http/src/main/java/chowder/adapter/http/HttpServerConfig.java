package chowder.adapter.http;

import static java.util.Objects.requireNonNull;

/** Where the API listens and the largest request body it reads. */
public record HttpServerConfig(String host, int port, long maxRequestBytes) {
    // The gateway's own documented limit: a larger body could never be answered anyway.
    public static final long DEFAULT_MAX_REQUEST_BYTES = 20L * 1024 * 1024;

    public HttpServerConfig {
        requireNonNull(host, "host is null");
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be 0 to 65535");
        }
        if (maxRequestBytes < 1) {
            throw new IllegalArgumentException("max request bytes must be positive");
        }
    }
}
