package chowder.adapter.http.model;

import static java.util.Objects.requireNonNull;

import chowder.adapter.http.HttpServerConfig;
import java.time.Duration;
import java.util.Set;

/**
 * Chowder's model endpoint, where provisioned gateways reach their provider: its loopback port ({@code 0}: any free
 * one), how long connecting to a provider and a silence inside its answer may last, the largest call it relays, the
 * largest JSON string of an answer it reads usage past, how many calls may run at once per instance and per
 * organization, how many connections it holds, how many calls it charges to the database at once, the output tokens it
 * assumes for a call that names no maximum, the {@code anthropic-beta} values it forwards, and how long the body of a
 * call refused before it was read is still read and dropped ({@code 0}: not at all), how long a connection may take to
 * send a request's headers and the slowest rate a body may then arrive at ({@code 0}: any), as on the API's listener.
 */
public record ModelEndpointConfig(int port, Duration connectTimeout, Duration idleTimeout, int maxRequestBytes, int maxUsageBytes,
        int maxCallsPerInstance, int maxCallsPerOrganization, int maxConnections, int meteringConcurrency, long outputEstimateTokens,
        Set<String> anthropicBetas, Duration refusedBodyLinger, Duration headerTimeout, long minBodyBytesPerSecond) {
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(5);
    /**
     * 8 MiB: a model's whole context (about a million tokens of text is 4 MB, somewhat more once JSON-escaped) with a few
     * images beside it. Each call's body is held in memory until it is sent, so this times the calls an instance may run
     * at once is what one gateway can make Chowder hold.
     */
    public static final int DEFAULT_MAX_REQUEST_BYTES = 8 * 1024 * 1024;
    public static final int DEFAULT_MAX_USAGE_BYTES = 8 * 1024 * 1024;
    /** OpenClaw runs a few model calls at once per instance at most (subagents); 8 leaves room, and bounds memory. */
    public static final int DEFAULT_MAX_CALLS_PER_INSTANCE = 8;
    public static final int DEFAULT_MAX_CALLS_PER_ORGANIZATION = 64;
    public static final int DEFAULT_MAX_CONNECTIONS = 4096;
    public static final int DEFAULT_METERING_CONCURRENCY = 4;
    /** The output a call may produce when it names no max_tokens: what OpenClaw configures for a model by default. */
    public static final long DEFAULT_OUTPUT_ESTIMATE_TOKENS = 4096;
    /**
     * What OpenClaw 2026.9 sends to Anthropic by default, none of which is billed differently: tool input streamed as it
     * is written, thinking between tool calls, and clearing old tool results from the context. Betas that cost more
     * (the 1M context window, fast mode, code execution, MCP servers) are not forwarded unless the operator lists them.
     */
    public static final Set<String> DEFAULT_ANTHROPIC_BETAS = Set.of("fine-grained-tool-streaming-2025-05-14",
            "interleaved-thinking-2025-05-14", "context-management-2025-06-27");
    /** As the API's listener ({@code CHOWDER_HTTP_REFUSED_BODY_LINGER}, one setting for both): nginx's {@code lingering_time}. */
    public static final Duration DEFAULT_REFUSED_BODY_LINGER = HttpServerConfig.DEFAULT_REFUSED_BODY_LINGER;
    public static final ModelEndpointConfig DEFAULTS = new ModelEndpointConfig(0, DEFAULT_CONNECT_TIMEOUT, DEFAULT_IDLE_TIMEOUT,
            DEFAULT_MAX_REQUEST_BYTES, DEFAULT_MAX_USAGE_BYTES, DEFAULT_MAX_CALLS_PER_INSTANCE, DEFAULT_MAX_CALLS_PER_ORGANIZATION,
            DEFAULT_MAX_CONNECTIONS, DEFAULT_METERING_CONCURRENCY, DEFAULT_OUTPUT_ESTIMATE_TOKENS, DEFAULT_ANTHROPIC_BETAS,
            DEFAULT_REFUSED_BODY_LINGER, HttpServerConfig.DEFAULT_HEADER_TIMEOUT, HttpServerConfig.DEFAULT_MIN_BODY_BYTES_PER_SECOND);

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
        if (maxCallsPerInstance < 1 || maxCallsPerOrganization < maxCallsPerInstance) {
            throw new IllegalArgumentException("an instance may run at least one call at once, and an organization at least as many as one "
                    + "of its instances");
        }
        if (maxConnections < 1 || meteringConcurrency < 1 || outputEstimateTokens < 1) {
            throw new IllegalArgumentException("connections, metering concurrency and the output estimate must be at least 1");
        }
        anthropicBetas = Set.copyOf(anthropicBetas);
        requireNonNull(refusedBodyLinger, "refusedBodyLinger is null");
        if (refusedBodyLinger.isNegative()) {
            throw new IllegalArgumentException("refused body linger must not be negative");
        }
        requireNonNull(headerTimeout, "headerTimeout is null");
        if (headerTimeout.isNegative() || headerTimeout.isZero() || minBodyBytesPerSecond < 0) {
            throw new IllegalArgumentException("the header timeout must be positive, the minimum body rate not negative");
        }
    }
}
