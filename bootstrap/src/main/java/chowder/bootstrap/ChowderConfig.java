package chowder.bootstrap;

import static java.util.Objects.requireNonNull;

import chowder.adapter.http.HttpServerConfig;
import chowder.adapter.http.MetricsConfig;
import chowder.adapter.http.model.ModelEndpointConfig;
import chowder.adapter.openclaw.OpenClawGatewayConfig;
import chowder.adapter.persistence.CacheConfig;
import chowder.adapter.openclaw.provisioner.ChannelsConfig;
import chowder.adapter.openclaw.provisioner.ProvisionerConfig;
import chowder.adapter.openclaw.provisioner.SkillsConfig;
import chowder.adapter.openclaw.provisioner.sandbox.SandboxConfig;
import chowder.application.service.InstanceLimits;
import chowder.application.service.KeyLimits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * All of Chowder's configuration, read once from environment variables and validated; a bad value
 * stops startup with a message naming the variable. Secrets are never part of {@link #toString()}.
 */
record ChowderConfig(
        Path dataDir,
        String databaseUrl,
        String databaseUser,
        Optional<String> databasePassword,
        int databasePoolSize,
        Optional<String> masterKey,
        int maxInstancesPerOrganization,
        int maxKeysPerOrganization,
        Duration healthProbeInterval,
        HttpServerConfig http,
        OpenClawGatewayConfig gateway,
        CacheConfig caches,
        ProvisionerConfig provisioner,
        SkillsConfig skills,
        ChannelsConfig channels,
        MetricsConfig metrics,
        ModelEndpointConfig modelEndpoint,
        boolean operatorModelKeysForAll) {

    static final String DATA_DIR = "CHOWDER_DATA_DIR";
    static final String DATABASE_URL = "CHOWDER_DATABASE_URL";
    static final String DATABASE_USER = "CHOWDER_DATABASE_USER";
    static final String DATABASE_PASSWORD = "CHOWDER_DATABASE_PASSWORD";
    static final String DATABASE_POOL_SIZE = "CHOWDER_DATABASE_POOL_SIZE";
    static final String MASTER_KEY = "CHOWDER_MASTER_KEY";
    static final String HTTP_HOST = "CHOWDER_HTTP_HOST";
    static final String HTTP_PORT = "CHOWDER_HTTP_PORT";
    static final String MAX_REQUEST_BYTES = "CHOWDER_MAX_REQUEST_BYTES";
    static final String HTTP_ACCEPT_QUEUE = "CHOWDER_HTTP_ACCEPT_QUEUE";
    static final String HTTP_HEADER_TIMEOUT = "CHOWDER_HTTP_HEADER_TIMEOUT";
    static final String HTTP_MIN_BODY_RATE = "CHOWDER_HTTP_MIN_BODY_RATE";
    static final String HTTP_REFUSED_BODY_LINGER = "CHOWDER_HTTP_REFUSED_BODY_LINGER";
    static final String GATEWAY_CONNECT_TIMEOUT = "CHOWDER_GATEWAY_CONNECT_TIMEOUT";
    static final String GATEWAY_HEADERS_TIMEOUT = "CHOWDER_GATEWAY_HEADERS_TIMEOUT";
    static final String GATEWAY_IDLE_TIMEOUT = "CHOWDER_GATEWAY_IDLE_TIMEOUT";
    static final String GATEWAY_TOTAL_TIMEOUT = "CHOWDER_GATEWAY_TOTAL_TIMEOUT";
    static final String SHUTDOWN_GRACE = "CHOWDER_SHUTDOWN_GRACE";
    static final String MAX_INSTANCES_PER_ORG = "CHOWDER_MAX_INSTANCES_PER_ORG";
    static final String MAX_KEYS_PER_ORG = "CHOWDER_MAX_KEYS_PER_ORG";
    static final String HEALTH_PROBE_INTERVAL = "CHOWDER_HEALTH_PROBE_INTERVAL";
    static final String HEALTH_PROBE_TIMEOUT = "CHOWDER_HEALTH_PROBE_TIMEOUT";
    static final String GATEWAY_ALLOWED_NETWORKS = "CHOWDER_GATEWAY_ALLOWED_NETWORKS";
    static final String SIGNUP_ENABLED = "CHOWDER_SIGNUP_ENABLED";
    static final String ADMIN_TOKEN = "CHOWDER_ADMIN_TOKEN";
    static final String GATEWAY_MAX_RESPONSE_BYTES = "CHOWDER_GATEWAY_MAX_RESPONSE_BYTES";
    static final String GATEWAY_BUFFERED_BYTES_MAX = "CHOWDER_GATEWAY_BUFFERED_BYTES_MAX";
    static final String REQUEST_BUFFERED_BYTES_MAX = "CHOWDER_REQUEST_BUFFERED_BYTES_MAX";
    static final String REQUEST_BUFFERED_BYTES_PER_ORGANIZATION = "CHOWDER_REQUEST_BUFFERED_BYTES_PER_ORGANIZATION";
    static final String CACHE_POLL_INTERVAL = "CHOWDER_CACHE_POLL_INTERVAL";
    static final String CACHE_LEASE = "CHOWDER_CACHE_LEASE";
    static final String CACHE_MAX_API_KEYS = "CHOWDER_CACHE_MAX_API_KEYS";
    static final String CACHE_MAX_INSTANCES = "CHOWDER_CACHE_MAX_INSTANCES";
    static final String CACHE_MAX_SESSIONS = "CHOWDER_CACHE_MAX_SESSIONS";
    static final String PROVISIONER = "CHOWDER_PROVISIONER";
    static final String OPENCLAW_HOME = "CHOWDER_OPENCLAW_HOME";
    static final String OPENCLAW_VERSION = "CHOWDER_OPENCLAW_VERSION";
    static final String OPENCLAW_NODE_VERSION = "CHOWDER_OPENCLAW_NODE_VERSION";
    static final String OPENCLAW_INSTALL_DIR = "CHOWDER_OPENCLAW_INSTALL_DIR";
    static final String INSTANCES_DIR = "CHOWDER_INSTANCES_DIR";
    static final String RUNTIME_DIR = "CHOWDER_RUNTIME_DIR";
    static final String SKILLS_CATALOG = "CHOWDER_SKILLS_CATALOG";
    static final String SKILLS_CLAWHUB = "CHOWDER_SKILLS_CLAWHUB";
    static final String SKILLS_MAX_BYTES = "CHOWDER_SKILLS_MAX_BYTES";
    static final String TELEGRAM_API_ROOT = "CHOWDER_TELEGRAM_API_ROOT";
    static final String CHANNEL_PLUGIN_VERSIONS = "CHOWDER_CHANNEL_PLUGIN_VERSIONS";
    static final String INSTANCE_RETENTION = "CHOWDER_INSTANCE_RETENTION";
    static final String GATEWAY_READY_TIMEOUT = "CHOWDER_GATEWAY_READY_TIMEOUT";
    static final String GATEWAY_RESTART_BACKOFF_MAX = "CHOWDER_GATEWAY_RESTART_BACKOFF_MAX";
    static final String MODEL_PROVIDERS = "CHOWDER_MODEL_PROVIDERS";
    static final String OPERATOR_MODEL_KEYS = "CHOWDER_OPERATOR_MODEL_KEYS";
    static final String MODEL_ENDPOINT_PORT = "CHOWDER_MODEL_ENDPOINT_PORT";
    static final String MODEL_CONNECT_TIMEOUT = "CHOWDER_MODEL_CONNECT_TIMEOUT";
    static final String MODEL_IDLE_TIMEOUT = "CHOWDER_MODEL_IDLE_TIMEOUT";
    static final String MODEL_MAX_REQUEST_BYTES = "CHOWDER_MODEL_MAX_REQUEST_BYTES";
    static final String MODEL_MAX_CALLS_PER_INSTANCE = "CHOWDER_MODEL_MAX_CALLS_PER_INSTANCE";
    static final String MODEL_MAX_CALLS_PER_ORGANIZATION = "CHOWDER_MODEL_MAX_CALLS_PER_ORGANIZATION";
    static final String MODEL_MAX_CONNECTIONS = "CHOWDER_MODEL_MAX_CONNECTIONS";
    static final String MODEL_METERING_CONCURRENCY = "CHOWDER_MODEL_METERING_CONCURRENCY";
    static final String MODEL_OUTPUT_ESTIMATE = "CHOWDER_MODEL_OUTPUT_ESTIMATE";
    static final String MODEL_ANTHROPIC_BETAS = "CHOWDER_MODEL_ANTHROPIC_BETAS";
    static final String MAX_FILE_BYTES = "CHOWDER_MAX_FILE_BYTES";
    static final String MAX_LIST_ENTRIES = "CHOWDER_MAX_LIST_ENTRIES";
    static final String MAX_FILE_TRANSFERS_PER_ORGANIZATION = "CHOWDER_MAX_FILE_TRANSFERS_PER_ORGANIZATION";
    static final String MAX_CONTROL_BODY_BYTES = "CHOWDER_MAX_CONTROL_BODY_BYTES";
    static final String METRICS_ENABLED = "CHOWDER_METRICS_ENABLED";
    static final String METRICS_TOKEN = "CHOWDER_METRICS_TOKEN";
    static final String SANDBOX = "CHOWDER_SANDBOX";
    static final String SANDBOX_FIRST_UID = "CHOWDER_SANDBOX_FIRST_UID";
    static final String SANDBOX_MEMORY = "CHOWDER_SANDBOX_MEMORY";
    static final String SANDBOX_MEMORY_PER_ORG = "CHOWDER_SANDBOX_MEMORY_PER_ORG";
    static final String SANDBOX_PROCESSES = "CHOWDER_SANDBOX_PROCESSES";
    static final String SANDBOX_PROCESSES_PER_ORG = "CHOWDER_SANDBOX_PROCESSES_PER_ORG";
    static final String SANDBOX_CPUS = "CHOWDER_SANDBOX_CPUS";
    static final String SANDBOX_OPEN_FILES = "CHOWDER_SANDBOX_OPEN_FILES";
    static final String SANDBOX_MAX_CONNECTIONS = "CHOWDER_SANDBOX_MAX_CONNECTIONS";
    static final String SANDBOX_EGRESS_ALLOW = "CHOWDER_SANDBOX_EGRESS_ALLOW";

    static final int DEFAULT_POOL_SIZE = 10;
    static final Duration DEFAULT_HEALTH_PROBE_INTERVAL = Duration.ofSeconds(15);

    /** Every variable Chowder reads, sorted: the {@code static final String CHOWDER_…} names of this class. */
    static java.util.List<String> variables() {
        java.util.List<String> names = new java.util.ArrayList<>();
        for (java.lang.reflect.Field field : ChowderConfig.class.getDeclaredFields()) {
            if (java.lang.reflect.Modifier.isStatic(field.getModifiers()) && field.getType() == String.class) {
                try {
                    String value = (String) field.get(null);
                    if (value != null && value.startsWith("CHOWDER_")) {
                        names.add(value);
                    }
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return names.stream().sorted().distinct().toList();
    }

    ChowderConfig {
        requireNonNull(dataDir, "dataDir is null");
        requireNonNull(databaseUrl, "databaseUrl is null");
        requireNonNull(databasePassword, "databasePassword is null");
        requireNonNull(masterKey, "masterKey is null");
        requireNonNull(http, "http is null");
        requireNonNull(gateway, "gateway is null");
        requireNonNull(caches, "caches is null");
        requireNonNull(provisioner, "provisioner is null");
        requireNonNull(skills, "skills is null");
        requireNonNull(channels, "channels is null");
        requireNonNull(metrics, "metrics is null");
        requireNonNull(modelEndpoint, "modelEndpoint is null");
    }

    static ChowderConfig fromEnvironment(Map<String, String> env) {
        EnvironmentReader read = new EnvironmentReader(env);
        Path dataDir = Path.of(read.text(DATA_DIR, "./data")).toAbsolutePath().normalize();
        String databaseUrl = read.value(DATABASE_URL, defaultDatabaseUrl(dataDir), url -> {
            if (!url.startsWith("jdbc:h2:") && !url.startsWith("jdbc:postgresql:")) {
                throw new IllegalArgumentException("must start with jdbc:h2: or jdbc:postgresql:");
            }
            return url;
        });
        return new ChowderConfig(
                dataDir,
                databaseUrl,
                read.text(DATABASE_USER, databaseUrl.startsWith("jdbc:h2:") ? "sa" : ""),
                read.password(DATABASE_PASSWORD).map(EnvironmentReader.Secret::value),
                read.value(DATABASE_POOL_SIZE, DEFAULT_POOL_SIZE, EnvironmentReader::positiveInt),
                read.secret(MASTER_KEY, key -> key).map(EnvironmentReader.Secret::value),
                read.value(MAX_INSTANCES_PER_ORG, InstanceLimits.DEFAULT_MAX_PER_ORGANIZATION, text -> {
                    int limit = Integer.parseInt(text);
                    if (limit < 0) {
                        throw new IllegalArgumentException("must be 0 (unlimited) or more");
                    }
                    return limit;
                }),
                read.value(MAX_KEYS_PER_ORG, KeyLimits.DEFAULT_MAX_PER_ORGANIZATION,
                        text -> new KeyLimits(Integer.parseInt(text)).maxPerOrganization()),
                read.value(HEALTH_PROBE_INTERVAL, DEFAULT_HEALTH_PROBE_INTERVAL, EnvironmentReader::positiveDuration),
                ServingConfigs.http(read),
                ServingConfigs.gateway(read),
                ServingConfigs.caches(read),
                ProvisioningConfigs.provisioner(read, dataDir, env),
                ProvisioningConfigs.skills(read),
                ProvisioningConfigs.channels(read),
                ServingConfigs.metrics(read),
                ServingConfigs.modelEndpoint(read),
                read.value(OPERATOR_MODEL_KEYS, true, EnvironmentReader.either("all", "none")));
    }

    /** The embedded H2 database in the data directory, shared with commands through its AUTO_SERVER. */
    static String defaultDatabaseUrl(Path dataDir) {
        return "jdbc:h2:file:" + dataDir.resolve("chowder") + ";AUTO_SERVER=TRUE";
    }

    /** Whether the database is the data directory's own (no {@code CHOWDER_DATABASE_URL} chose another). */
    boolean databaseInDataDir() {
        return databaseUrl.equals(defaultDatabaseUrl(dataDir));
    }

    boolean usesH2() {
        return databaseUrl.startsWith("jdbc:h2:");
    }

    @Override
    public String toString() {
        return "ChowderConfig[dataDir=" + dataDir + ", databaseUrl=" + redacted(databaseUrl) + ", databaseUser=" + databaseUser
                + ", databasePassword=redacted, databasePoolSize=" + databasePoolSize + ", masterKey="
                + (masterKey.isPresent() ? "from " + MASTER_KEY : "from the data directory") + ", http=" + http
                + ", gateway=" + gateway + ", caches=" + caches + ", provisioner=" + provisioner + ", skills=" + skills + ", channels=" + channels
                + ", metrics=" + metrics
                + ", modelEndpoint=" + modelEndpoint + ", operatorModelKeysForAll=" + operatorModelKeysForAll + "]";
    }

    /** A JDBC URL without the secrets it may carry (user info, password parameters). */
    static String redacted(String jdbcUrl) {
        return jdbcUrl.replaceAll("//[^/@]*@", "//(redacted)@").replaceAll("(?i)(password|passwd|pwd)=[^&;]*", "$1=(redacted)");
    }
}
