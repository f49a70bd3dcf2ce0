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
import com.google.common.util.concurrent.AbstractIdleService;
import com.google.common.util.concurrent.AbstractScheduledService;
import com.google.common.util.concurrent.Service;
import com.google.inject.AbstractModule;
import com.google.inject.Key;
import com.google.inject.Provider;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.TypeLiteral;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.name.Named;
import com.google.inject.name.Names;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binds the provisioner port to the local provisioner when it is enabled, else to the disabled one. When enabled it
 * contributes to {@link #SERVICES} the provisioner itself (started once {@link #MODEL_ENDPOINT}, which the caller binds,
 * listens; every gateway stopped at the end) and the hourly removal of deleted instances' state.
 */
public final class ProvisionerModule extends AbstractModule {
    /** Started after the model endpoint and before the instances are resumed; stopped (every gateway) before the endpoint. */
    public static final Key<Set<Service>> SERVICES = Key.get(new TypeLiteral<>() { }, Names.named(ProvisionerModule.SERVICES_NAME));
    /** Where gateways reach Chowder's model endpoint: bound by the caller, read once the endpoint listens. */
    public static final Key<Supplier<URI>> MODEL_ENDPOINT = Key.get(new TypeLiteral<>() { }, Names.named(ProvisionerModule.MODEL_ENDPOINT_NAME));
    private static final String SERVICES_NAME = "chowder.provisioner";
    private static final String MODEL_ENDPOINT_NAME = "chowder.model-endpoint";
    private static final String GATEWAYS = "chowder.provisioner.gateways";
    private static final String STATE_PURGE = "chowder.provisioner.state-purge";
    private static final Logger log = LoggerFactory.getLogger(ProvisionerModule.class);
    private static final Duration PURGE_INTERVAL = Duration.ofHours(1);

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

    @Override
    protected void configure() {
        bind(WorkspaceFilesPort.class).to(LocalWorkspaceFiles.class);
        Multibinder<Service> services = Multibinder.newSetBinder(binder(), Service.class, Names.named(SERVICES_NAME));
        if (config.enabled()) {
            services.addBinding().to(Key.get(Service.class, Names.named(GATEWAYS)));
            services.addBinding().to(Key.get(Service.class, Names.named(STATE_PURGE)));
        }
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

    /** The provisioner's gateways: told where the model endpoint listens and the sandbox reported at start, all stopped at the end. */
    @Provides
    @Singleton
    @Named(GATEWAYS)
    static Service gateways(LocalGatewayProvisioner provisioner, @Named(MODEL_ENDPOINT_NAME) Supplier<URI> modelEndpoint) {
        return new AbstractIdleService() {
            @Override
            protected void startUp() {
                provisioner.useModelEndpoint(modelEndpoint.get());
                provisioner.reportSandbox();
            }

            @Override
            protected void shutDown() {
                provisioner.close();
            }

            @Override
            protected String serviceName() {
                return "gateways";
            }
        };
    }

    /** Removes deleted instances' state once its retention has passed, hourly; a failed round is logged and retried. */
    @Provides
    @Singleton
    @Named(STATE_PURGE)
    static Service statePurge(LocalGatewayProvisioner provisioner) {
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("state-purge").daemon().factory());
        return new AbstractScheduledService() {
            @Override
            protected void runOneIteration() {
                try {
                    provisioner.purgeExpired();
                } catch (RuntimeException e) {
                    log.warn("Removing deleted instances' state failed; it runs again in {}", PURGE_INTERVAL, e);
                }
            }

            @Override
            protected Scheduler scheduler() {
                return Scheduler.newFixedDelaySchedule(Duration.ZERO, PURGE_INTERVAL);
            }

            @Override
            protected String serviceName() {
                return "state-purge";
            }

            // A daemon thread, so it never keeps the JVM alive; a round in progress at stop finishes first (it only deletes
            // the directories of instances deleted long ago).
            @Override
            protected ScheduledExecutorService executor() {
                return scheduler;
            }

            @Override
            protected void shutDown() {
                scheduler.shutdownNow();
            }
        };
    }
}
