package chowder.bootstrap;

import static chowder.bootstrap.ChowderConfig.*;

import chowder.adapter.http.HttpServerConfig;
import chowder.adapter.http.admin.AdminToken;
import chowder.adapter.http.MetricsConfig;
import chowder.adapter.http.model.ModelEndpointConfig;
import chowder.adapter.openclaw.OpenClawGatewayConfig;
import chowder.adapter.persistence.CacheConfig;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** The serving side's config records read from the environment: the API, the gateway client, caches, the model endpoint. */
final class ServingConfigs {
    private ServingConfigs() {}

    static HttpServerConfig http(EnvironmentReader read) {
        HttpServerConfig defaults = HttpServerConfig.DEFAULTS;
        long maxRequestBytes = read.value(MAX_REQUEST_BYTES, defaults.maxRequestBytes(), EnvironmentReader::positiveLong);
        // The model endpoint's calls are held under the same budget: the largest of either must fit an organization twice.
        long modelRequestBytes = read.value(MODEL_MAX_REQUEST_BYTES, ModelEndpointConfig.DEFAULTS.maxRequestBytes(), ServingConfigs::modelRequestBytes);
        long largest = Math.max(maxRequestBytes, modelRequestBytes);
        String largestName = maxRequestBytes >= modelRequestBytes ? MAX_REQUEST_BYTES : MODEL_MAX_REQUEST_BYTES;
        long minBuffered = HttpServerConfig.minRequestBufferedBytesMax(largest);
        long requestBufferedBytesMax = read.value(REQUEST_BUFFERED_BYTES_MAX, HttpServerConfig.defaultRequestBufferedBytesMax(largest),
                atLeast(minBuffered, "four times " + largestName, "one organization may hold half of it by default ("
                        + REQUEST_BUFFERED_BYTES_PER_ORGANIZATION + "), room for two bodies of the largest size"));
        long perOrganization = read.value(REQUEST_BUFFERED_BYTES_PER_ORGANIZATION,
                HttpServerConfig.defaultRequestBufferedBytesPerOrganization(requestBufferedBytesMax), text -> {
            long bytes = EnvironmentReader.positiveLong(text);
            if (bytes < 2 * largest || bytes > requestBufferedBytesMax) {
                throw new IllegalArgumentException("must be from twice " + largestName + " (" + 2 * largest + ") to "
                        + REQUEST_BUFFERED_BYTES_MAX + " (" + requestBufferedBytesMax + ")");
            }
            return bytes;
        });
        return new HttpServerConfig(
                read.text(HTTP_HOST, defaults.host()),
                read.value(HTTP_PORT, defaults.port(), EnvironmentReader::port),
                maxRequestBytes,
                read.value(MAX_CONTROL_BODY_BYTES, defaults.maxControlBodyBytes(), EnvironmentReader::positiveLong),
                read.value(SHUTDOWN_GRACE, defaults.shutdownGrace(), Durations::parse),
                read.value(SIGNUP_ENABLED, defaults.signupEnabled(), EnvironmentReader::bool),
                read.value(HTTP_ACCEPT_QUEUE, defaults.acceptQueueSize(), EnvironmentReader::positiveInt),
                read.value(HTTP_HEADER_TIMEOUT, defaults.headerTimeout(), EnvironmentReader::positiveDuration),
                read.value(HTTP_MIN_BODY_RATE, defaults.minBodyBytesPerSecond(), EnvironmentReader::bytes),
                read.value(HTTP_REFUSED_BODY_LINGER, defaults.refusedBodyLinger(), Durations::parse),
                read.value(MAX_FILE_TRANSFERS_PER_ORGANIZATION, defaults.maxFileTransfersPerOrganization(), EnvironmentReader::positiveInt),
                requestBufferedBytesMax,
                perOrganization,
                // Unset or blank: the admin API is off (a 404), as the default has it.
                read.secret(ADMIN_TOKEN, token -> new AdminToken(token).value()).map(secret -> new AdminToken(secret.value()))
                        .or(defaults::adminToken));
    }

    /** A bound on memory held at once: a positive number of bytes, at least {@code min} (named {@code what}) for {@code why}. */
    private static java.util.function.Function<String, Long> atLeast(long min, String what, String why) {
        return text -> {
            long bytes = EnvironmentReader.positiveLong(text);
            if (bytes < min) {
                throw new IllegalArgumentException("must be at least " + what + " (" + min + "): " + why);
            }
            return bytes;
        };
    }

    private static int modelRequestBytes(String text) {
        long bytes = EnvironmentReader.bytes(text);
        if (bytes < 1024 || bytes > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("must be from 1K to 2G");
        }
        return (int) bytes;
    }

    static MetricsConfig metrics(EnvironmentReader read) {
        return new MetricsConfig(read.value(METRICS_ENABLED, true, EnvironmentReader::bool),
                read.secret(METRICS_TOKEN, token -> new MetricsConfig(true, Optional.of(token)).bearerToken().orElseThrow())
                        .map(EnvironmentReader.Secret::value));
    }

    static OpenClawGatewayConfig gateway(EnvironmentReader read) {
        OpenClawGatewayConfig defaults = OpenClawGatewayConfig.defaults();
        long maxResponseBytes = read.value(GATEWAY_MAX_RESPONSE_BYTES, defaults.maxResponseBytes(), text -> {
            long bytes = EnvironmentReader.positiveLong(text);
            if (bytes > Integer.MAX_VALUE - 16) {
                throw new IllegalArgumentException("must be at most " + (Integer.MAX_VALUE - 16));
            }
            return bytes;
        });
        long minBuffered = OpenClawGatewayConfig.minBufferedBytesMax(maxResponseBytes);
        long bufferedBytesMax = read.value(GATEWAY_BUFFERED_BYTES_MAX, OpenClawGatewayConfig.defaultBufferedBytesMax(maxResponseBytes),
                atLeast(minBuffered, "four times " + GATEWAY_MAX_RESPONSE_BYTES,
                        "one organization may hold half of it, and one answer may briefly need twice its size"));
        return new OpenClawGatewayConfig(
                read.value(GATEWAY_CONNECT_TIMEOUT, defaults.connectTimeout(), EnvironmentReader::positiveDuration),
                read.value(GATEWAY_HEADERS_TIMEOUT, defaults.headersTimeout(), EnvironmentReader::positiveDuration),
                read.value(GATEWAY_IDLE_TIMEOUT, defaults.idleTimeout(), EnvironmentReader::positiveDuration),
                read.value(GATEWAY_TOTAL_TIMEOUT, defaults.totalTimeout(), EnvironmentReader::positiveDuration),
                maxResponseBytes,
                bufferedBytesMax,
                read.value(GATEWAY_ALLOWED_NETWORKS, defaults.allowedNetworks(), OpenClawGatewayConfig::parseNetworks),
                read.value(HEALTH_PROBE_TIMEOUT, defaults.probeTimeout(), EnvironmentReader::positiveDuration));
    }

    static CacheConfig caches(EnvironmentReader read) {
        CacheConfig defaults = CacheConfig.DEFAULTS;
        var pollInterval = read.value(CACHE_POLL_INTERVAL, defaults.pollInterval(), EnvironmentReader::positiveDuration);
        var lease = read.value(CACHE_LEASE, defaults.lease(), EnvironmentReader::positiveDuration);
        long maxApiKeys = read.value(CACHE_MAX_API_KEYS, defaults.maxApiKeys(), EnvironmentReader::size);
        long maxInstances = read.value(CACHE_MAX_INSTANCES, defaults.maxInstances(), EnvironmentReader::size);
        long maxSessions = read.value(CACHE_MAX_SESSIONS, defaults.maxSessions(), EnvironmentReader::size);
        return EnvironmentReader.combined(() -> new CacheConfig(pollInterval, lease, maxApiKeys, maxInstances, maxSessions),
                CACHE_POLL_INTERVAL, CACHE_LEASE);
    }

    /** Where provisioned gateways reach their model providers through Chowder (loopback; port 0: any free one). */
    static ModelEndpointConfig modelEndpoint(EnvironmentReader read) {
        ModelEndpointConfig defaults = ModelEndpointConfig.DEFAULTS;
        int perInstance = read.value(MODEL_MAX_CALLS_PER_INSTANCE, defaults.maxCallsPerInstance(), EnvironmentReader::positiveInt);
        int perOrganization = read.value(MODEL_MAX_CALLS_PER_ORGANIZATION, defaults.maxCallsPerOrganization(), Integer::parseInt);
        if (perOrganization < perInstance) {
            throw new InvalidConfigurationException(MODEL_MAX_CALLS_PER_ORGANIZATION + "=" + perOrganization + " is invalid: must be at least "
                    + MODEL_MAX_CALLS_PER_INSTANCE + " (" + perInstance + ")");
        }
        return new ModelEndpointConfig(
                read.value(MODEL_ENDPOINT_PORT, defaults.port(), EnvironmentReader::port),
                read.value(MODEL_CONNECT_TIMEOUT, defaults.connectTimeout(), EnvironmentReader::positiveDuration),
                read.value(MODEL_IDLE_TIMEOUT, defaults.idleTimeout(), EnvironmentReader::positiveDuration),
                read.value(MODEL_MAX_REQUEST_BYTES, defaults.maxRequestBytes(), ServingConfigs::modelRequestBytes),
                defaults.maxUsageBytes(),
                perInstance,
                perOrganization,
                read.value(MODEL_MAX_CONNECTIONS, defaults.maxConnections(), EnvironmentReader::positiveInt),
                read.value(MODEL_METERING_CONCURRENCY, defaults.meteringConcurrency(), EnvironmentReader::positiveInt),
                read.value(MODEL_OUTPUT_ESTIMATE, defaults.outputEstimateTokens(), EnvironmentReader::positiveLong),
                read.value(MODEL_ANTHROPIC_BETAS, defaults.anthropicBetas(), ServingConfigs::betas),
                // One setting each for both listeners: a request is read alike wherever it was sent.
                read.value(HTTP_REFUSED_BODY_LINGER, defaults.refusedBodyLinger(), Durations::parse),
                read.value(HTTP_HEADER_TIMEOUT, defaults.headerTimeout(), EnvironmentReader::positiveDuration),
                read.value(HTTP_MIN_BODY_RATE, defaults.minBodyBytesPerSecond(), EnvironmentReader::bytes));
    }

    /** A comma-separated list of {@code anthropic-beta} values, or {@code none}. */
    private static Set<String> betas(String text) {
        if (text.equals("none")) {
            return Set.of();
        }
        Set<String> betas = new TreeSet<>();
        for (String beta : text.split(",")) {
            if (!beta.strip().matches("[A-Za-z0-9._-]{1,100}")) {
                throw new IllegalArgumentException("expected anthropic-beta values separated by commas, or none");
            }
            betas.add(beta.strip());
        }
        return betas;
    }
}
