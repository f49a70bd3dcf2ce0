package chowder.adapter.openclaw;

import static java.util.Objects.requireNonNull;

import chowder.application.port.out.AgentGatewayPort;
import chowder.application.port.out.GatewayAddressPolicyPort;
import chowder.application.port.out.GatewayHealthPort;
import chowder.application.port.out.GatewaySessionsPort;
import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import io.micrometer.core.instrument.MeterRegistry;
import org.eclipse.jetty.client.HttpClient;

/**
 * Binds the gateway port to the Jetty-based OpenClaw client; the HTTP client is started by the caller's lifecycle.
 * Needs a {@link MeterRegistry} bound elsewhere (gateway latency is recorded in it).
 */
public final class OpenClawModule extends AbstractModule {
    private final OpenClawGatewayConfig config;

    public OpenClawModule(OpenClawGatewayConfig config) {
        this.config = requireNonNull(config, "config is null");
    }

    @Provides
    @Singleton
    OpenClawGatewayConfig config() {
        return config;
    }

    @Provides
    @Singleton
    static HttpClient gatewayHttpClient(OpenClawGatewayConfig config) {
        return GatewayHttpClients.create(config);
    }

    @Provides
    @Singleton
    static GatewayAddressPolicyPort addressPolicy(OpenClawGatewayConfig config) {
        return new GatewayAddressPolicy(config.allowedNetworks());
    }

    @Provides
    @Singleton
    static GatewayHealthPort healthProbe(HttpClient http, OpenClawGatewayConfig config) {
        return new OpenClawHealthProbe(http, config.probeTimeout());
    }

    @Provides
    @Singleton
    static GatewaySessionsPort gatewaySessions(HttpClient http) {
        return new OpenClawSessionAdmin(http);
    }

    @Provides
    @Singleton
    static AgentGatewayPort agentGateway(HttpClient http, OpenClawGatewayConfig config, MeterRegistry registry) {
        return new OpenClawGatewayClient(http, config, registry);
    }
}
