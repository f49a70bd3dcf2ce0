package chowder.bootstrap;

import chowder.application.port.in.AdministerOrganizationsUseCase;
import chowder.application.port.in.AuthenticateUseCase;
import chowder.application.port.in.AuthorizeModelCallUseCase;
import chowder.application.port.in.ManageLimitsUseCase;
import chowder.application.port.in.ViewModelUsageUseCase;
import chowder.application.port.out.LimitCounterPort;
import chowder.application.port.out.LimitSettingsPort;
import chowder.application.port.out.ModelCatalogPort;
import chowder.application.port.out.ModelKeysPort;
import chowder.application.port.out.ModelUsagePort;
import chowder.application.service.LimitsService;
import chowder.application.service.ModelAccessPolicy;
import chowder.application.service.ModelAccessService;
import chowder.application.service.ModelCredentials;
import chowder.application.service.ModelRefusals;
import chowder.application.service.ModelUsageRecorder;
import chowder.application.service.ModelUsageService;
import chowder.application.service.UsageLimiter;
import chowder.application.port.in.CheckReadinessUseCase;
import chowder.application.port.in.ManageApiKeysUseCase;
import chowder.application.port.in.ManageInstancesUseCase;
import chowder.application.port.in.ManageOrganizationUseCase;
import chowder.application.port.in.ManageSessionsUseCase;
import chowder.application.port.in.ManageChannelsUseCase;
import chowder.application.port.in.ManageSkillsUseCase;
import chowder.application.port.in.ManageWorkspaceFilesUseCase;
import chowder.application.port.in.ProbeInstancesUseCase;
import chowder.application.port.in.CreateOrganizationUseCase;
import chowder.application.port.in.RegisterInstanceUseCase;
import chowder.application.port.in.ResumeProvisionedInstancesUseCase;
import chowder.application.port.in.SendResponseUseCase;
import chowder.application.port.in.ViewInstancesUseCase;
import chowder.application.port.out.AgentGatewayPort;
import chowder.application.port.out.GatewayAddressPolicyPort;
import chowder.application.port.out.GatewayHealthPort;
import chowder.application.port.out.GatewaySessionsPort;
import chowder.application.port.out.InstanceProvisionerPort;
import chowder.application.port.out.ChannelSettingsPort;
import chowder.application.port.out.InstanceChannelsPort;
import chowder.application.port.out.InstanceSkillsPort;
import chowder.application.port.out.SessionStorePort;
import chowder.application.port.out.SkillCatalogPort;
import chowder.application.port.out.SkillSettingsPort;
import chowder.application.port.out.WorkspaceFilesPort;
import chowder.application.port.out.StoreHealthPort;
import chowder.application.port.out.LoadApiKeyPort;
import chowder.application.port.out.LoadInstancePort;
import chowder.application.port.out.LoadOrganizationPort;
import chowder.application.port.out.SaveApiKeyPort;
import chowder.application.port.out.SaveInstancePort;
import chowder.application.port.out.SaveOrganizationPort;
import chowder.application.service.ApiKeyService;
import chowder.application.service.AuthenticationService;
import chowder.application.service.KeyUsageRecorder;
import chowder.application.service.InstanceHealthService;
import chowder.application.service.InstanceLimits;
import chowder.application.service.KeyLimits;
import chowder.application.service.ChannelService;
import chowder.application.service.GatewaySettings;
import chowder.application.service.InstanceService;
import chowder.application.service.OrganizationAdministrationService;
import chowder.application.service.OrganizationService;
import chowder.application.service.ReadinessService;
import chowder.application.service.ResponseService;
import chowder.application.service.TurnService;
import chowder.application.service.SessionRegistry;
import chowder.application.service.SessionService;
import chowder.application.service.SkillService;
import chowder.application.service.WorkspaceFileService;
import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;

/** Binds the use cases to the application services. */
final class ApplicationModule extends AbstractModule {
    // Bounded so that a fleet of thousands is probed without flooding the network at once.
    private static final int MAX_CONCURRENT_PROBES = 256;

    private final InstanceLimits limits;
    private final KeyLimits keyLimits;
    private final ModelAccessPolicy modelAccess;

    ApplicationModule(InstanceLimits limits, KeyLimits keyLimits, ModelAccessPolicy modelAccess) {
        this.limits = limits;
        this.keyLimits = keyLimits;
        this.modelAccess = modelAccess;
    }

    @Override
    protected void configure() {
        bind(ProbeInstancesUseCase.class).to(InstanceHealthService.class);
        bind(AuthorizeModelCallUseCase.class).to(ModelAccessService.class);
        bind(ResumeProvisionedInstancesUseCase.class).to(InstanceService.class);
        bind(ManageInstancesUseCase.class).to(InstanceService.class);
        bind(RegisterInstanceUseCase.class).to(InstanceService.class);
        bind(ViewInstancesUseCase.class).to(InstanceService.class);
        bind(CreateOrganizationUseCase.class).to(OrganizationService.class);
        bind(ManageOrganizationUseCase.class).to(OrganizationService.class);
    }

    @Provides
    @Singleton
    static Clock clock() {
        // Millisecond timestamps: what every supported database stores exactly, so an answer and a later read agree.
        return Clock.tick(Clock.systemUTC(), Duration.ofMillis(1));
    }

    @Provides
    @Singleton
    static SecureRandom secureRandom() {
        return new SecureRandom();
    }

    @Provides
    @Singleton
    static CheckReadinessUseCase readiness(StoreHealthPort store) {
        return new ReadinessService(store);
    }

    @Provides
    @Singleton
    static KeyUsageRecorder keyUsage(SaveApiKeyPort keys) {
        return new KeyUsageRecorder(keys);
    }

    @Provides
    @Singleton
    static AuthenticateUseCase authentication(LoadApiKeyPort apiKeys, LoadOrganizationPort organizations, KeyUsageRecorder usage, Clock clock) {
        return new AuthenticationService(apiKeys, organizations, usage, clock);
    }

    @Provides
    @Singleton
    ManageApiKeysUseCase keys(LoadApiKeyPort load, SaveApiKeyPort save, LoadInstancePort instances, SecureRandom random, Clock clock) {
        return new ApiKeyService(load, save, instances, keyLimits, random, clock);
    }

    @Provides
    @Singleton
    static InstanceHealthService health(LoadInstancePort load, SaveInstancePort save, GatewayHealthPort gateways, Clock clock) {
        // Probe results are written from virtual threads: the probes themselves hold no thread.
        return new InstanceHealthService(load, save, gateways, Executors.newVirtualThreadPerTaskExecutor(), MAX_CONCURRENT_PROBES, clock);
    }

    @Provides
    @Singleton
    InstanceService instances(LoadInstancePort load, SaveInstancePort save, GatewayAddressPolicyPort addressPolicy,
            InstanceHealthService health, LimitSettingsPort plans, InstanceProvisionerPort provisioner, SkillSettingsPort skills,
            ChannelSettingsPort channels, ModelAccessService models, ModelCredentials credentials, Clock clock) {
        return new InstanceService(load, save, addressPolicy, health, limits, plans, provisioner, new GatewaySettings(skills, channels), models,
                credentials, clock);
    }

    @Provides
    @Singleton
    static ModelCredentials modelCredentials(SecureRandom random) {
        return new ModelCredentials(random);
    }

    @Provides
    @Singleton
    static UsageLimiter usageLimiter(LimitSettingsPort settings, LimitCounterPort counters, Clock clock) {
        return new UsageLimiter(settings, counters, clock);
    }

    @Provides
    @Singleton
    static ModelUsageRecorder modelUsageRecorder(ModelUsagePort store) {
        return new ModelUsageRecorder(store);
    }

    @Provides
    @Singleton
    ModelAccessService modelAccess(ModelCredentials credentials, LoadInstancePort instances, LoadOrganizationPort organizations,
            ModelCatalogPort catalog, ModelKeysPort keys, LimitSettingsPort settings, UsageLimiter limiter, ModelUsageRecorder usage,
            ModelRefusals refusals, Clock clock) {
        return new ModelAccessService(credentials, instances, organizations, catalog, keys, settings, limiter, usage, modelAccess, refusals, clock);
    }

    @Provides
    @Singleton
    static ManageLimitsUseCase limits(LimitSettingsPort settings, ManageApiKeysUseCase keys, LoadInstancePort instances,
            LoadOrganizationPort organizations) {
        return new LimitsService(settings, keys, instances, organizations);
    }

    @Provides
    @Singleton
    static ViewModelUsageUseCase modelUsage(LoadInstancePort instances, ModelUsagePort store, ModelUsageRecorder recorder) {
        return new ModelUsageService(instances, store, recorder);
    }

    @Provides
    @Singleton
    static SessionRegistry sessionRegistry(SessionStorePort store) {
        return new SessionRegistry(store);
    }

    @Provides
    @Singleton
    static TurnService turns(LoadInstancePort instances, SessionRegistry sessions, UsageLimiter limiter, ModelRefusals refusals, Clock clock) {
        return new TurnService(instances, sessions, limiter, refusals, clock);
    }

    @Provides
    @Singleton
    static SendResponseUseCase responses(TurnService turns, AgentGatewayPort gateway) {
        return new ResponseService(turns, gateway);
    }

    @Provides
    @Singleton
    static ModelRefusals modelRefusals() {
        return new ModelRefusals();
    }

    @Provides
    @Singleton
    static ManageSessionsUseCase sessions(LoadInstancePort instances, SessionStorePort store, GatewaySessionsPort gatewaySessions,
            SessionRegistry registry, Clock clock) {
        return new SessionService(instances, store, gatewaySessions, registry, clock);
    }

    @Provides
    @Singleton
    static ManageWorkspaceFilesUseCase workspaceFiles(LoadInstancePort instances, WorkspaceFilesPort files) {
        return new WorkspaceFileService(instances, files);
    }

    @Provides
    @Singleton
    static ManageSkillsUseCase skills(LoadInstancePort instances, InstanceProvisionerPort provisioner, InstanceSkillsPort skills,
            SkillCatalogPort catalog, SkillSettingsPort settings) {
        return new SkillService(instances, provisioner, skills, catalog, settings);
    }

    @Provides
    @Singleton
    static ManageChannelsUseCase channels(LoadInstancePort instances, ChannelSettingsPort settings, InstanceChannelsPort gateways,
            SecureRandom random) {
        return new ChannelService(instances, settings, gateways, random);
    }

    @Provides
    @Singleton
    OrganizationService organizations(LoadOrganizationPort load, SaveOrganizationPort save, ModelKeysPort modelKeys, ModelCatalogPort catalog,
            LimitSettingsPort plans, LoadInstancePort instances, SecureRandom random, Clock clock) {
        return new OrganizationService(load, save, modelKeys, catalog, plans, instances, limits, random, clock);
    }

    @Provides
    @Singleton
    static AdministerOrganizationsUseCase administration(OrganizationService organizations, SaveOrganizationPort save,
            ManageApiKeysUseCase keys, ManageLimitsUseCase limits, LoadInstancePort instances, SessionStorePort sessions, SessionRegistry registry,
            Clock clock) {
        return new OrganizationAdministrationService(organizations, save, keys, limits, instances, sessions, registry, clock);
    }
}
