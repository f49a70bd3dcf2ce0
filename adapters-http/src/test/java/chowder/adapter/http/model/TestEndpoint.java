package chowder.adapter.http.model;

import chowder.adapter.http.HttpServerConfig;
import chowder.adapter.http.JsonBodies;
import chowder.application.port.in.AuthorizeModelCallUseCase;
import chowder.domain.MemoryBudget;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;

/** The model endpoint as tests run it: any free loopback port, timeouts of seconds, started. */
final class TestEndpoint {
    private TestEndpoint() {}

    /**
     * Started with these bounds (an organization may run twice an instance's calls at once), two metering threads,
     * 4096 output tokens assumed for a call that names no maximum, and refused bodies drained for 30 s at most.
     */
    static ModelEndpointServer started(int maxRequestBytes, int maxUsageBytes, int callsPerInstance, AuthorizeModelCallUseCase calls,
            MeterRegistry registry) throws Exception {
        return started(maxRequestBytes, maxUsageBytes, callsPerInstance, calls, registry, HttpServerConfig.DEFAULT_HEADER_TIMEOUT,
                HttpServerConfig.DEFAULT_MIN_BODY_BYTES_PER_SECOND, JsonBodies.heldBodies(1L << 30, 1L << 29));
    }

    /** As above, with this header timeout and minimum body rate, holding call bodies under {@code heldBodies}. */
    static ModelEndpointServer started(int maxRequestBytes, int maxUsageBytes, int callsPerInstance, AuthorizeModelCallUseCase calls,
            MeterRegistry registry, Duration headerTimeout, long minBodyBytesPerSecond, MemoryBudget heldBodies) throws Exception {
        ModelEndpointServer endpoint = new ModelEndpointServer(new ModelEndpointConfig(0, Duration.ofSeconds(5), Duration.ofSeconds(30),
                maxRequestBytes, maxUsageBytes, callsPerInstance, 2 * callsPerInstance, 64, 2, 4096,
                ModelEndpointConfig.DEFAULT_ANTHROPIC_BETAS, ModelEndpointConfig.DEFAULT_REFUSED_BODY_LINGER, headerTimeout,
                minBodyBytesPerSecond), calls, registry, heldBodies);
        endpoint.start();
        return endpoint;
    }
}
