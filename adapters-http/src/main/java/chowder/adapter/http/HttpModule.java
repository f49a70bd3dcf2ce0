package chowder.adapter.http;

import static java.util.Objects.requireNonNull;

import chowder.application.port.in.AuthenticateUseCase;
import chowder.application.port.in.CheckReadinessUseCase;
import chowder.application.port.in.CreateOrganizationUseCase;
import chowder.application.port.in.ManageApiKeysUseCase;
import chowder.application.port.in.ManageInstancesUseCase;
import chowder.application.port.in.ManageOrganizationUseCase;
import chowder.application.port.in.ManageSessionsUseCase;
import chowder.application.port.in.ManageWorkspaceFilesUseCase;
import chowder.application.port.in.RegisterInstanceUseCase;
import chowder.application.port.in.SendResponseUseCase;
import chowder.application.port.in.ViewInstancesUseCase;
import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;

/** Binds the HTTP server to the use cases; it is started and stopped by the caller's lifecycle. */
public final class HttpModule extends AbstractModule {
    private final HttpServerConfig config;

    public HttpModule(HttpServerConfig config) {
        this.config = requireNonNull(config, "config is null");
    }

    @Provides
    @Singleton
    ChowderHttpServer server(AuthenticateUseCase authentication, SendResponseUseCase responses, RegisterInstanceUseCase registerInstances,
            ViewInstancesUseCase viewInstances, ManageInstancesUseCase manageInstances, CreateOrganizationUseCase createOrganization,
            ManageOrganizationUseCase organizations, ManageApiKeysUseCase keys, ManageSessionsUseCase sessions,
            CheckReadinessUseCase readiness, ManageWorkspaceFilesUseCase files) {
        return new ChowderHttpServer(config, new ApiUseCases(authentication, responses, registerInstances, viewInstances,
                manageInstances, createOrganization, organizations, keys, sessions, readiness, files));
    }
}
