package chowder.adapter.http;

import static java.util.Objects.requireNonNull;

import chowder.adapter.http.model.ModelEndpointConfig;
import chowder.adapter.http.model.ModelEndpointServer;
import chowder.application.port.in.AdministerOrganizationsUseCase;
import chowder.application.port.in.AuthenticateUseCase;
import chowder.application.port.in.AuthorizeModelCallUseCase;
import chowder.application.port.in.CheckReadinessUseCase;
import chowder.application.port.in.CreateOrganizationUseCase;
import chowder.application.port.in.ManageApiKeysUseCase;
import chowder.application.port.in.ManageChannelsUseCase;
import chowder.application.port.in.ManageInstancesUseCase;
import chowder.application.port.in.ManageLimitsUseCase;
import chowder.application.port.in.ManageOrganizationUseCase;
import chowder.application.port.in.ManageSessionsUseCase;
import chowder.application.port.in.ManageSkillsUseCase;
import chowder.application.port.in.ManageWorkspaceFilesUseCase;
import chowder.application.port.in.RegisterInstanceUseCase;
import chowder.application.port.in.SendResponseUseCase;
import chowder.application.port.in.ViewInstancesUseCase;
import chowder.application.port.in.ViewModelUsageUseCase;
import com.google.common.util.concurrent.AbstractIdleService;
import com.google.common.util.concurrent.Service;
import chowder.domain.MemoryBudget;
import com.google.inject.AbstractModule;
import com.google.inject.Key;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.TypeLiteral;
import com.google.inject.multibindings.ProvidesIntoSet;
import com.google.inject.name.Named;
import com.google.inject.name.Names;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Set;

/**
 * Binds the HTTP server to the use cases, and contributes what the caller starts and stops: {@link #MODEL_ENDPOINT}
 * (before any provisioned gateway starts) and {@link #API} (last, once everything it serves runs). Needs the
 * {@link PrometheusMeterRegistry} bound elsewhere: it records into it and serves it as {@code /metrics}.
 */
public final class HttpModule extends AbstractModule {
    /** Chowder's model endpoint for provisioned gateways: started before any gateway, stopped after all. */
    public static final Key<Set<Service>> MODEL_ENDPOINT = Key.get(new TypeLiteral<>() { }, Names.named(HttpModule.MODEL_ENDPOINT_NAME));
    /** The API listener: started last and stopped first (it drains the calls in flight). */
    public static final Key<Set<Service>> API = Key.get(new TypeLiteral<>() { }, Names.named(HttpModule.API_NAME));
    private static final String MODEL_ENDPOINT_NAME = "chowder.http.model-endpoint";
    private static final String API_NAME = "chowder.http.api";

    private final HttpServerConfig config;
    private final MetricsConfig metrics;
    private final ModelEndpointConfig modelEndpoint;
    // One budget for the request bodies both listeners hold: a tenant's turns and its gateways' model calls share its part.
    private final MemoryBudget heldBodies;

    public HttpModule(HttpServerConfig config, MetricsConfig metrics, ModelEndpointConfig modelEndpoint) {
        this.config = requireNonNull(config, "config is null");
        this.metrics = requireNonNull(metrics, "metrics is null");
        this.modelEndpoint = requireNonNull(modelEndpoint, "modelEndpoint is null");
        this.heldBodies = JsonBodies.heldBodies(config.requestBufferedBytesMax(), config.requestBufferedBytesPerOrganization());
    }

    @Provides
    @Singleton
    ChowderHttpServer server(AuthenticateUseCase authentication, SendResponseUseCase responses, RegisterInstanceUseCase registerInstances,
            ViewInstancesUseCase viewInstances, ManageInstancesUseCase manageInstances, CreateOrganizationUseCase createOrganization,
            ManageOrganizationUseCase organizations, ManageApiKeysUseCase keys, ManageSessionsUseCase sessions,
            CheckReadinessUseCase readiness, ManageWorkspaceFilesUseCase files, ManageSkillsUseCase skills, ManageLimitsUseCase limits,
            ViewModelUsageUseCase modelUsage, ManageChannelsUseCase channels, AdministerOrganizationsUseCase administration,
            PrometheusMeterRegistry registry) {
        return new ChowderHttpServer(config, metrics, registry, new ApiUseCases(authentication, responses, registerInstances, viewInstances,
                manageInstances, createOrganization, organizations, keys, sessions, readiness, files, skills, limits, modelUsage, channels,
                administration), heldBodies);
    }

    @ProvidesIntoSet
    @Singleton
    @Named(API_NAME)
    static Service api(ChowderHttpServer server) {
        return new AbstractIdleService() {
            @Override
            protected void startUp() {
                server.start();
            }

            @Override
            protected void shutDown() {
                server.stop();
            }

            @Override
            protected String serviceName() {
                return "http-api";
            }
        };
    }

    @Provides
    @Singleton
    ModelEndpointServer modelEndpoint(AuthorizeModelCallUseCase calls, PrometheusMeterRegistry registry) {
        return new ModelEndpointServer(modelEndpoint, calls, registry, heldBodies);
    }

    @ProvidesIntoSet
    @Singleton
    @Named(MODEL_ENDPOINT_NAME)
    static Service modelEndpointService(ModelEndpointServer endpoint) {
        return new AbstractIdleService() {
            @Override
            protected void startUp() throws Exception {
                endpoint.start();
            }

            @Override
            protected void shutDown() throws Exception {
                endpoint.stop();
            }

            @Override
            protected String serviceName() {
                return "model-endpoint";
            }
        };
    }
}
