package chowder.adapter.http;

import static java.util.Objects.requireNonNull;

import chowder.application.port.in.AdministerOrganizationsUseCase;
import chowder.application.port.in.AuthenticateUseCase;
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

/** Every use case the HTTP API offers. */
public record ApiUseCases(
        AuthenticateUseCase authentication,
        SendResponseUseCase responses,
        RegisterInstanceUseCase registerInstances,
        ViewInstancesUseCase viewInstances,
        ManageInstancesUseCase manageInstances,
        CreateOrganizationUseCase createOrganization,
        ManageOrganizationUseCase organizations,
        ManageApiKeysUseCase keys,
        ManageSessionsUseCase sessions,
        CheckReadinessUseCase readiness,
        ManageWorkspaceFilesUseCase files,
        ManageSkillsUseCase skills,
        ManageLimitsUseCase limits,
        ViewModelUsageUseCase modelUsage,
        ManageChannelsUseCase channels,
        AdministerOrganizationsUseCase administration) {
    public ApiUseCases {
        requireNonNull(authentication, "authentication is null");
        requireNonNull(responses, "responses is null");
        requireNonNull(registerInstances, "registerInstances is null");
        requireNonNull(viewInstances, "viewInstances is null");
        requireNonNull(manageInstances, "manageInstances is null");
        requireNonNull(createOrganization, "createOrganization is null");
        requireNonNull(organizations, "organizations is null");
        requireNonNull(keys, "keys is null");
        requireNonNull(sessions, "sessions is null");
        requireNonNull(readiness, "readiness is null");
        requireNonNull(files, "files is null");
        requireNonNull(skills, "skills is null");
        requireNonNull(limits, "limits is null");
        requireNonNull(modelUsage, "modelUsage is null");
        requireNonNull(channels, "channels is null");
        requireNonNull(administration, "administration is null");
    }
}
