package chowder.adapter.openclaw.provisioner;

import static java.util.Objects.requireNonNull;

import chowder.adapter.openclaw.GatewayRpc;
import chowder.adapter.openclaw.workspace.LocalWorkspaceFiles;
import chowder.application.port.out.InstanceProvisionerPort;
import chowder.application.port.out.InstanceChannelsPort;
import chowder.application.port.out.InstanceSkillsPort;
import chowder.application.port.out.ModelCatalogPort;
import chowder.application.port.out.SkillCatalogPort;
import chowder.application.port.out.WorkspaceFilesPort;
import com.google.inject.AbstractModule;
import com.google.inject.Provider;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Map;

/**
 * Binds the provisioner port to the local provisioner when it is enabled, else to the disabled one; the
 * local provisioner's gateways are stopped by the caller's lifecycle ({@link LocalGatewayProvisioner#close()}).
 */
public final class ProvisionerModule extends AbstractModule {
    private final ProvisionerConfig config;
    private final Map<String, String> environment;
    private final SkillsConfig skills;
    private final ChannelsConfig channels;

    /** @param environment Chowder's environment, of which only what the sandbox needs is used */
    public ProvisionerModule(ProvisionerConfig config, SkillsConfig skills, ChannelsConfig channels, Map<String, String> environment) {
        this.config = requireNonNull(config, "config is null");
        this.skills = requireNonNull(skills, "skills is null");
        this.channels = requireNonNull(channels, "channels is null");
        this.environment = Map.copyOf(requireNonNull(environment, "environment is null"));
    }

    @Provides
    @Singleton
    LocalGatewayProvisioner localProvisioner(SecureRandom random, Clock clock) {
        return new LocalGatewayProvisioner(config, channels, environment, random, clock);
    }

    @Provides
    @Singleton
    LocalWorkspaceFiles localWorkspaceFiles() {
        return new LocalWorkspaceFiles(config.instancesDir(), config.maxFileBytes(), config.maxListEntries());
    }

    @Provides
    static WorkspaceFilesPort workspaceFiles(LocalWorkspaceFiles files) {
        return files;
    }

    @Provides
    @Singleton
    InstanceSkillsPort instanceSkills(LocalWorkspaceFiles files, Provider<LocalGatewayProvisioner> local) {
        // Lazily: a Chowder that provisions nothing never makes a provisioner (SkillService refuses before asking this).
        return new LocalInstanceSkills(new GatewayRpc(), files, local::get);
    }

    @Provides
    @Singleton
    InstanceChannelsPort instanceChannels(Provider<LocalGatewayProvisioner> local) {
        // Lazily: a Chowder that provisions nothing never makes a provisioner (ChannelService refuses before asking this).
        return new LocalInstanceChannels(new GatewayRpc(), local::get, config, channels);
    }

    /** The model providers, offered whether or not this Chowder provisions (organizations' keys are named by them). */
    @Provides
    ModelCatalogPort modelCatalog() {
        return config.modelProviders();
    }

    @Provides
    @Singleton
    SkillCatalogPort skillCatalog() {
        return new DirectorySkillCatalog(skills);
    }

    @Provides
    @Singleton
    InstanceProvisionerPort provisioner(Provider<LocalGatewayProvisioner> local) {
        return config.enabled() ? local.get() : InstanceProvisionerPort.DISABLED;
    }
}
