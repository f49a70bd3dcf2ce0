package chowder.adapter.openclaw;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * Limits of the gateway client: TCP connect; time until the gateway's response headers (for a
 * non-streaming request that is the whole agent turn); longest silence inside an answer (a stalled
 * stream is ended); an overall cap on one exchange, streams included; and the largest answer body
 * (or single stream event) it accepts; how many bytes of answers may be held in memory at once, across all
 * requests (one organization may hold half of it; see {@link chowder.domain.MemoryBudget}); the networks gateways may live in
 * (empty: all but link-local and metadata addresses); and how long a health probe may take.
 */
public record OpenClawGatewayConfig(
        Duration connectTimeout,
        Duration headersTimeout,
        Duration idleTimeout,
        Duration totalTimeout,
        long maxResponseBytes,
        long bufferedBytesMax,
        java.util.List<String> allowedNetworks,
        Duration probeTimeout) {
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    // Agent turns run tools and call models: minutes are normal, an hour is not.
    public static final Duration DEFAULT_HEADERS_TIMEOUT = Duration.ofMinutes(10);
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(5);
    public static final Duration DEFAULT_TOTAL_TIMEOUT = Duration.ofMinutes(60);
    // An agent turn's answer is text: a model's largest output (about 128k tokens, some 512 KB) even with every
    // character JSON-escaped fits several times over. Streams' response.completed event carries the whole answer too.
    public static final long DEFAULT_MAX_RESPONSE_BYTES = 8L * 1024 * 1024;
    public static final Duration DEFAULT_PROBE_TIMEOUT = Duration.ofSeconds(5);

    public OpenClawGatewayConfig {
        positive(connectTimeout, "connect timeout");
        positive(headersTimeout, "headers timeout");
        positive(idleTimeout, "idle timeout");
        positive(totalTimeout, "total timeout");
        positive(probeTimeout, "probe timeout");
        allowedNetworks = java.util.List.copyOf(allowedNetworks);
        allowedNetworks.forEach(Cidr::parse);
        if (maxResponseBytes < 1 || maxResponseBytes > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("max response bytes must be 1 to " + (Integer.MAX_VALUE - 16));
        }
        if (bufferedBytesMax < minBufferedBytesMax(maxResponseBytes)) {
            throw new IllegalArgumentException("buffered bytes max must be at least four times the max response bytes ("
                    + minBufferedBytesMax(maxResponseBytes) + ")");
        }
    }

    /**
     * One organization may hold half of the bound, and reading an answer of unknown length can briefly need twice its
     * size (the buffer and its trimmed copy): four times the largest answer lets any answer through when nothing else
     * is held.
     */
    public static long minBufferedBytesMax(long maxResponseBytes) {
        return 4 * maxResponseBytes;
    }

    /** A quarter of the heap (the rest holds request bodies, caches, buffers and all else), and at least the minimum. */
    public static long defaultBufferedBytesMax(long maxResponseBytes) {
        return Math.max(chowder.domain.MemoryBudget.quarterOfHeap(), minBufferedBytesMax(maxResponseBytes));
    }

    /** Reads a comma-separated list of networks ({@code 10.0.0.0/8, fd00::/8}); throws on a malformed one. */
    public static java.util.List<String> parseNetworks(String commaSeparated) {
        java.util.List<String> networks = java.util.Arrays.stream(commaSeparated.split(","))
                .map(String::strip).filter(network -> !network.isEmpty()).toList();
        networks.forEach(Cidr::parse);
        return networks;
    }

    public static OpenClawGatewayConfig defaults() {
        return new OpenClawGatewayConfig(DEFAULT_CONNECT_TIMEOUT, DEFAULT_HEADERS_TIMEOUT, DEFAULT_IDLE_TIMEOUT,
                DEFAULT_TOTAL_TIMEOUT, DEFAULT_MAX_RESPONSE_BYTES, defaultBufferedBytesMax(DEFAULT_MAX_RESPONSE_BYTES),
                java.util.List.of(), DEFAULT_PROBE_TIMEOUT);
    }

    private static void positive(Duration duration, String name) {
        requireNonNull(duration, name + " is null");
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(name + " must be positive");
        }
    }
}
