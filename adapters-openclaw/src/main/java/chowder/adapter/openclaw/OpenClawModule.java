package chowder.adapter.openclaw;

import static java.util.Objects.requireNonNull;

import chowder.application.port.out.AgentGatewayPort;
import chowder.application.port.out.GatewayAddressPolicyPort;
import chowder.application.port.out.GatewayHealthPort;
import chowder.application.port.out.GatewaySessionsPort;
import com.google.common.util.concurrent.AbstractIdleService;
import com.google.common.util.concurrent.Service;
import com.google.inject.AbstractModule;
import com.google.inject.Key;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.TypeLiteral;
import com.google.inject.multibindings.ProvidesIntoSet;
import com.google.inject.name.Named;
import com.google.inject.name.Names;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Set;
import org.eclipse.jetty.client.HttpClient;

/**
 * Binds the gateway port to the Jetty-based OpenClaw client, and contributes the client's start and stop to
 * {@link #SERVICES}. Needs a {@link MeterRegistry} bound elsewhere (gateway latency is recorded in it).
 */
public final class OpenClawModule extends AbstractModule {
    /** What a serving node starts before it forwards anything, and stops after its last forwarded call. */
    public static final Key<Set<Service>> SERVICES = Key.get(new TypeLiteral<>() { }, Names.named(OpenClawModule.SERVICES_NAME));
    private static final String SERVICES_NAME = "chowder.openclaw";
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

    @ProvidesIntoSet
    @Singleton
    @Named(SERVICES_NAME)
    static Service gatewayClientService(HttpClient http) {
        return new AbstractIdleService() {
            @Override
            protected void startUp() throws Exception {
                http.start();
            }

            @Override
            protected void shutDown() throws Exception {
                http.stop();
            }

            @Override
            protected String serviceName() {
                return "gateway-client";
            }
        };
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
