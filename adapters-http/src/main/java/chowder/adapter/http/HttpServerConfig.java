package chowder.adapter.http;

import static java.util.Objects.requireNonNull;

import chowder.adapter.http.admin.AdminToken;
import chowder.domain.MemoryBudget;
import java.time.Duration;
import java.util.Optional;

/**
 * Where the API listens, the largest request body it reads, how long a stopping server lets in-flight
 * requests and streams finish, whether anyone may create an organization through the API, how many
 * connections the kernel may queue before Chowder accepts them, how long a connection may take to
 * send a request's headers, the slowest rate its body may then arrive at, how many bytes of request bodies it may hold at once, and for one organization (half, by default),
 * and the operator's admin token (none: the admin API is off).
 */
public record HttpServerConfig(String host, int port, long maxRequestBytes, long maxControlBodyBytes, Duration shutdownGrace,
        boolean signupEnabled,
        int acceptQueueSize, Duration headerTimeout, long minBodyBytesPerSecond, Duration refusedBodyLinger, int maxFileTransfersPerOrganization,
        long requestBufferedBytesMax, long requestBufferedBytesPerOrganization, Optional<AdminToken> adminToken) {
    public static final String DEFAULT_HOST = "0.0.0.0";
    public static final int DEFAULT_PORT = 8080;
    // The gateway's own documented limit: a larger body could never be answered anyway.
    public static final long DEFAULT_MAX_REQUEST_BYTES = 20L * 1024 * 1024;
    // Keys, instances, settings, plans: the largest valid one is a skill's env (64 values of 16,384 characters, up to
    // 6.3 MB with every character JSON-escaped). A turn and a file's content have the request limit.
    public static final long DEFAULT_MAX_CONTROL_BODY_BYTES = 8L * 1024 * 1024;
    public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(30);
    // The JDK's default backlog (50) resets connections when thousands of clients connect at once.
    public static final int DEFAULT_ACCEPT_QUEUE_SIZE = 4096;
    // Jetty's idle timeout restarts with every byte: headers sent a byte at a time need a bound of their own.
    public static final Duration DEFAULT_HEADER_TIMEOUT = Duration.ofSeconds(30);
    // A body may pause in its first seconds (MinimumBodyRate.WINDOW); after them, 1 KiB/s is far below any real client's
    // network, and far above a client trickling bytes to hold a connection.
    public static final long DEFAULT_MIN_BODY_BYTES_PER_SECOND = 1024;
    // nginx's lingering_time: long enough for a client to finish sending a body that was refused, so that it reads the answer.
    public static final Duration DEFAULT_REFUSED_BODY_LINGER = Duration.ofSeconds(30);
    // Each may hold a file (up to CHOWDER_MAX_FILE_BYTES) a few times over until its client has it.
    public static final int DEFAULT_MAX_FILE_TRANSFERS_PER_ORGANIZATION = 4;

    /** Every interface, port 8080, sign-up off, the admin API off. */
    public static final HttpServerConfig DEFAULTS = new HttpServerConfig(DEFAULT_HOST, DEFAULT_PORT, DEFAULT_MAX_REQUEST_BYTES,
            DEFAULT_MAX_CONTROL_BODY_BYTES, DEFAULT_SHUTDOWN_GRACE, false, DEFAULT_ACCEPT_QUEUE_SIZE, DEFAULT_HEADER_TIMEOUT, DEFAULT_MIN_BODY_BYTES_PER_SECOND, DEFAULT_REFUSED_BODY_LINGER,
            DEFAULT_MAX_FILE_TRANSFERS_PER_ORGANIZATION, defaultRequestBufferedBytesMax(DEFAULT_MAX_REQUEST_BYTES),
            defaultRequestBufferedBytesPerOrganization(defaultRequestBufferedBytesMax(DEFAULT_MAX_REQUEST_BYTES)), Optional.empty());

    /** Two bodies of the largest size for one organization (which may hold half), and room for two more. */
    public static long minRequestBufferedBytesMax(long maxRequestBytes) {
        return 4 * maxRequestBytes;
    }

    /** A quarter of the heap (another quarter may hold gateway answers), and at least the minimum. */
    public static long defaultRequestBufferedBytesMax(long maxRequestBytes) {
        return Math.max(MemoryBudget.quarterOfHeap(), minRequestBufferedBytesMax(maxRequestBytes));
    }

    /** Half of the request bodies' budget: one organization's share unless the operator sets another. */
    public static long defaultRequestBufferedBytesPerOrganization(long requestBufferedBytesMax) {
        return requestBufferedBytesMax / 2;
    }

    public HttpServerConfig {
        requireNonNull(host, "host is null");
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be 0 to 65535");
        }
        if (maxRequestBytes < 1 || maxControlBodyBytes < 1) {
            throw new IllegalArgumentException("max request bytes must be positive");
        }
        requireNonNull(shutdownGrace, "shutdownGrace is null");
        if (shutdownGrace.isNegative()) {
            throw new IllegalArgumentException("shutdown grace must not be negative");
        }
        if (acceptQueueSize < 1) {
            throw new IllegalArgumentException("accept queue size must be positive");
        }
        requireNonNull(headerTimeout, "headerTimeout is null");
        if (headerTimeout.isNegative() || headerTimeout.isZero()) {
            throw new IllegalArgumentException("header timeout must be positive");
        }
        if (minBodyBytesPerSecond < 0) {
            throw new IllegalArgumentException("min body bytes per second must not be negative");
        }
        requireNonNull(refusedBodyLinger, "refusedBodyLinger is null");
        if (refusedBodyLinger.isNegative()) {
            throw new IllegalArgumentException("refused body linger must not be negative");
        }
        if (maxFileTransfersPerOrganization < 1) {
            throw new IllegalArgumentException("file transfers per organization must be at least 1");
        }
        if (requestBufferedBytesMax < minRequestBufferedBytesMax(maxRequestBytes)) {
            throw new IllegalArgumentException("request buffered bytes max must be at least four times the max request bytes ("
                    + minRequestBufferedBytesMax(maxRequestBytes) + ")");
        }
        if (requestBufferedBytesPerOrganization < 2 * maxRequestBytes || requestBufferedBytesPerOrganization > requestBufferedBytesMax) {
            throw new IllegalArgumentException("an organization's request buffered bytes must be from twice the max request bytes to the max");
        }
        requireNonNull(adminToken, "adminToken is null");
    }

    public HttpServerConfig(String host, int port, long maxRequestBytes, Duration shutdownGrace, boolean signupEnabled) {
        this(host, port, maxRequestBytes, Math.min(maxRequestBytes, DEFAULT_MAX_CONTROL_BODY_BYTES), shutdownGrace, signupEnabled, DEFAULT_ACCEPT_QUEUE_SIZE, DEFAULT_HEADER_TIMEOUT,
                DEFAULT_MIN_BODY_BYTES_PER_SECOND, DEFAULT_REFUSED_BODY_LINGER, DEFAULT_MAX_FILE_TRANSFERS_PER_ORGANIZATION, defaultRequestBufferedBytesMax(maxRequestBytes),
                defaultRequestBufferedBytesPerOrganization(defaultRequestBufferedBytesMax(maxRequestBytes)), Optional.empty());
    }

    /** This configuration with the admin API on, behind {@code token}. */
    public HttpServerConfig withAdminToken(AdminToken token) {
        return new HttpServerConfig(host, port, maxRequestBytes, maxControlBodyBytes, shutdownGrace, signupEnabled, acceptQueueSize, headerTimeout,
                minBodyBytesPerSecond, refusedBodyLinger, maxFileTransfersPerOrganization, requestBufferedBytesMax, requestBufferedBytesPerOrganization, Optional.of(token));
    }
}
