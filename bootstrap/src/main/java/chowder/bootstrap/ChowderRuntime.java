package chowder.bootstrap;

import chowder.application.port.in.ProbeInstancesUseCase;
import chowder.application.service.InstanceLimits;
import chowder.application.service.KeyLimits;
import chowder.application.service.KeyUsageRecorder;
import chowder.application.service.SessionRegistry;
import chowder.adapter.http.ChowderHttpServer;
import chowder.bootstrap.cli.OpenStore;
import chowder.adapter.http.HttpModule;
import chowder.adapter.http.model.ModelEndpointServer;
import chowder.application.port.out.LimitCounterPort;
import chowder.application.service.ModelAccessPolicy;
import chowder.application.service.ModelUsageRecorder;
import chowder.adapter.openclaw.OpenClawModule;
import chowder.adapter.openclaw.provisioner.ProvisionerModule;
import chowder.application.port.in.ResumeProvisionedInstancesUseCase;
import chowder.adapter.persistence.Database;
import chowder.adapter.persistence.EmbeddedH2;
import chowder.adapter.persistence.MasterKeyVerification;
import chowder.adapter.persistence.ExistingStore;
import chowder.adapter.persistence.PersistenceConfig;
import chowder.adapter.persistence.PersistenceModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The wired application: one Guice module per adapter plus the use cases, and the ordered
 * lifecycle (database pool and migrations, gateway client, HTTP server) that starts and stops them.
 */
final class ChowderRuntime implements OpenStore.Opened {
    private static final Logger log = LoggerFactory.getLogger(ChowderRuntime.class);
    // How many seconds of counters (last use, turns, tokens) a crash may lose.
    private static final java.time.Duration FLUSH_INTERVAL = java.time.Duration.ofSeconds(2);
    private static final java.time.Duration PURGE_INTERVAL = java.time.Duration.ofHours(1);

    private final Injector injector;
    private final ChowderConfig config;
    private final StartedServices started = new StartedServices();

    private ChowderRuntime(Injector injector, ChowderConfig config) {
        this.injector = injector;
        this.config = config;
    }

    /**
     * The application for a server: the data directory, the database (with its password, for H2) and the master key
     * are created when missing.
     */
    static ChowderRuntime create(ChowderConfig config, Map<String, String> environment) {
        if (config.usesH2()) {
            listenOnLoopbackOnly();
        }
        DataDirectory.prepare(config.dataDir());
        String password = config.databasePassword().orElseGet(() -> config.usesH2() ? DataDirectory.databasePassword(config.dataDir()) : "");
        if (config.usesH2()) {
            adoptPassword(config, password);
        }
        return wire(config, environment, new PersistenceConfig(config.databaseUrl(), config.databaseUser(), password,
                config.databasePoolSize(), MasterKeys.load(config)));
    }

    /**
     * The application for an operator command: only on an existing store with Chowder's tables, which it opens
     * without ever creating a database (H2: {@code IFEXISTS}), a password or a master key. A command run without the
     * server's {@code CHOWDER_DATA_DIR} or {@code CHOWDER_DATABASE_URL} would otherwise work on a new, empty store of
     * its own.
     */
    static ChowderRuntime openExisting(ChowderConfig config, Map<String, String> environment) {
        if (config.usesH2()) {
            listenOnLoopbackOnly();
        }
        // A database from before Chowder set passwords still has the empty one until the server's next start.
        String password = config.databasePassword()
                .or(() -> config.usesH2() ? DataDirectory.existingDatabasePassword(config.dataDir()) : Optional.empty())
                .orElse("");
        ExistingStore.State state;
        try {
            state = ExistingStore.inspect(config.databaseUrl(), config.databaseUser(), password);
        } catch (IllegalStateException e) {
            throw new InvalidConfigurationException("cannot open the database at " + where(config) + ": " + e.getMessage());
        }
        String retry = "; run this command with the server's " + ChowderConfig.DATA_DIR + " or " + ChowderConfig.DATABASE_URL
                + " (only `chowder serve` creates a database)";
        switch (state) {
            case NO_DATABASE -> throw new InvalidConfigurationException("there is no Chowder database at " + where(config) + retry);
            case EMPTY -> throw new InvalidConfigurationException("the database at " + where(config) + " is empty (no organizations table)" + retry);
            case INITIALIZED -> { }
        }
        String url = Database.of(config.databaseUrl()).existingOnly(config.databaseUrl());
        return wire(config, environment, new PersistenceConfig(url, config.databaseUser(), password, config.databasePoolSize(),
                MasterKeys.loadExisting(config)));
    }

    private static void listenOnLoopbackOnly() {
        try {
            EmbeddedH2.listenOnLoopbackOnly();
        } catch (IllegalStateException e) {
            throw new InvalidConfigurationException(e.getMessage());
        }
    }

    /** Gives a database made before Chowder generated passwords its password: H2's TCP port is open to every local user. */
    private static void adoptPassword(ChowderConfig config, String password) {
        String source = config.databasePassword().isPresent() ? ChowderConfig.DATABASE_PASSWORD
                : config.dataDir().resolve(DataDirectory.PASSWORD_FILE).toString();
        try {
            if (EmbeddedH2.adoptPassword(config.databaseUrl(), config.databaseUser(), password)) {
                log.warn("The database at {} had an empty password: it now has the one in {}", where(config), source);
            }
        } catch (IllegalStateException e) {
            throw new InvalidConfigurationException("cannot open the database at " + where(config) + " with the password in " + source + ": "
                    + e.getMessage());
        }
    }

    /** The database a configuration names, for messages: the URL without secrets, and the variable that chose it. */
    private static String where(ChowderConfig config) {
        return ChowderConfig.redacted(config.databaseUrl()) + " (" + (config.databaseInDataDir()
                ? ChowderConfig.DATA_DIR + "=" + config.dataDir() : ChowderConfig.DATABASE_URL) + ")";
    }

    /** @param environment what the configuration was read from: the provisioner passes on only what a sandbox needs */
    private static ChowderRuntime wire(ChowderConfig config, Map<String, String> environment, PersistenceConfig persistence) {
        return new ChowderRuntime(Guice.createInjector(
                new PersistenceModule(persistence, config.caches()),
                new OpenClawModule(config.gateway()),
                new ProvisionerModule(config.provisioner(), config.skills(), config.channels(), environment),
                new MetricsModule(),
                new HttpModule(config.http(), config.metrics(), config.modelEndpoint()),
                new ApplicationModule(new InstanceLimits(config.maxInstancesPerOrganization()),
                        new KeyLimits(config.maxKeysPerOrganization()), new ModelAccessPolicy(config.operatorModelKeysForAll())),
                // The one adapter-to-adapter link: provisioned gateways reach their providers through the model endpoint.
                binder -> {
                    com.google.inject.Provider<ModelEndpointServer> endpoint = binder.getProvider(ModelEndpointServer.class);
                    binder.bind(ProvisionerModule.MODEL_ENDPOINT).toInstance(() -> endpoint.get().uri());
                }), config);
    }

    @Override
    public <T> T get(Class<T> type) {
        return injector.getInstance(type);
    }

    /** Opens the database, applies migrations and checks the master key against the database's: all a command needs. */
    ChowderRuntime startStore() throws Exception {
        started.startAll(injector.getInstance(PersistenceModule.STORE));
        orStop(this::verifyMasterKey);
        DataDirectory.restrictNewFiles(config.dataDir());
        return this;
    }

    /** A node with another key than the database's would fail on every token it cannot decrypt: it does not start. */
    private void verifyMasterKey() {
        switch (injector.getInstance(MasterKeyVerification.class).verifyOrRecord()) {
            case MATCHES -> { }
            case RECORDED -> log.info("Stored a check value of the master key in the database: a node with another key will not start");
            case DIFFERS -> throw new InvalidConfigurationException(MasterKeys.mismatch(config));
        }
    }

    /**
     * Starts everything the server needs, after the store, in an order that lets each stop after what uses it: the
     * counters' last flushes come after the last call that counts (the model endpoint's, the API's), every gateway stops
     * before the model endpoint, and the API listener starts last and drains first.
     */
    ChowderRuntime startServer() throws Exception {
        startStore();
        started.startAll(injector.getInstance(MetricsModule.SERVICES));
        started.startAll(injector.getInstance(OpenClawModule.SERVICES));
        started.startAll(injector.getInstance(PersistenceModule.SERVING));
        started.start(PeriodicTask.flushes("model-usage", injector.getInstance(ModelUsageRecorder.class)::flush, FLUSH_INTERVAL));
        if (config.provisioner().enabled()) {
            started.startAll(injector.getInstance(HttpModule.MODEL_ENDPOINT));
        }
        started.startAll(injector.getInstance(ProvisionerModule.SERVICES));
        orStop(injector.getInstance(ResumeProvisionedInstancesUseCase.class)::resumeProvisioned);
        started.start(PeriodicTask.rounds("health-probing", injector.getInstance(ProbeInstancesUseCase.class)::probeAll, config.healthProbeInterval()));
        started.start(PeriodicTask.flushes("key-usage", injector.getInstance(KeyUsageRecorder.class)::flush, FLUSH_INTERVAL));
        started.start(PeriodicTask.flushes("session-activity", injector.getInstance(SessionRegistry.class)::flush, FLUSH_INTERVAL));
        started.start(PeriodicTask.rounds("limit-counter-purge", () -> injector.getInstance(LimitCounterPort.class).removeExpired(), PURGE_INTERVAL));
        try {
            started.startAll(injector.getInstance(HttpModule.API));
        } catch (RuntimeException e) {
            throw listenFailure(e);
        }
        return this;
    }

    /** Runs a step of starting; when it fails, what started before it is stopped. */
    private void orStop(Runnable step) {
        try {
            step.run();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** A port someone else holds is the operator's to change, said in one line. */
    private RuntimeException listenFailure(RuntimeException e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof java.net.BindException bind) {
                String reason = String.valueOf(bind.getMessage());
                return new InvalidConfigurationException(reason.contains("in use")
                        ? ChowderConfig.HTTP_PORT + "=" + config.http().port() + ": the port is already in use on " + config.http().host()
                                + " (another Chowder, or another server); stop it or choose another port."
                        : ChowderConfig.HTTP_HOST + "=" + config.http().host() + ", " + ChowderConfig.HTTP_PORT + "=" + config.http().port()
                                + ": cannot listen there (" + reason + "): a port below 1024 needs privileges, and the host must be an "
                                + "address of this machine.");
            }
        }
        return e;
    }

    int httpPort() {
        return injector.getInstance(ChowderHttpServer.class).port();
    }

    @Override
    public void close() {
        started.close();
    }
}
