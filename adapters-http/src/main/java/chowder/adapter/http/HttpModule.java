package chowder.adapter.http;

import static java.util.Objects.requireNonNull;

import chowder.adapter.http.model.ModelEndpointConfig;
import chowder.adapter.http.model.ModelEndpointServer;
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
import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * Binds the HTTP server to the use cases; it is started and stopped by the caller's lifecycle. Needs the
 * {@link PrometheusMeterRegistry} bound elsewhere: it records into it and serves it as {@code /metrics}.
 */
public final class HttpModule extends AbstractModule {
    private final HttpServerConfig config;
    private final MetricsConfig metrics;
    private final ModelEndpointConfig modelEndpoint;

    public HttpModule(HttpServerConfig config, MetricsConfig metrics, ModelEndpointConfig modelEndpoint) {
        this.config = requireNonNull(config, "config is null");
        this.metrics = requireNonNull(metrics, "metrics is null");
        this.modelEndpoint = requireNonNull(modelEndpoint, "modelEndpoint is null");
    }

    @Provides
    @Singleton
    ChowderHttpServer server(AuthenticateUseCase authentication, SendResponseUseCase responses, RegisterInstanceUseCase registerInstances,
            ViewInstancesUseCase viewInstances, ManageInstancesUseCase manageInstances, CreateOrganizationUseCase createOrganization,
            ManageOrganizationUseCase organizations, ManageApiKeysUseCase keys, ManageSessionsUseCase sessions,
            CheckReadinessUseCase readiness, ManageWorkspaceFilesUseCase files, ManageSkillsUseCase skills, ManageLimitsUseCase limits,
            ViewModelUsageUseCase modelUsage, ManageChannelsUseCase channels, PrometheusMeterRegistry registry) {
        return new ChowderHttpServer(config, metrics, registry, new ApiUseCases(authentication, responses, registerInstances, viewInstances,
                manageInstances, createOrganization, organizations, keys, sessions, readiness, files, skills, limits, modelUsage, channels));
    }

    /** Chowder's model endpoint for provisioned gateways; started (before any gateway) and stopped by the caller's lifecycle. */
    @Provides
    @Singleton
    ModelEndpointServer modelEndpoint(AuthorizeModelCallUseCase calls, PrometheusMeterRegistry registry) {
        return new ModelEndpointServer(modelEndpoint, calls, registry);
    }
}
