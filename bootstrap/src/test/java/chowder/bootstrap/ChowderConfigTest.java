package chowder.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chowder.adapter.http.model.ModelEndpointConfig;
import chowder.adapter.openclaw.provisioner.sandbox.SandboxConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ChowderConfigTest {

    @Test
    void defaults() {
        ChowderConfig config = ChowderConfig.fromEnvironment(Map.of());
        Path dataDir = Path.of("./data").toAbsolutePath().normalize();
        assertThat(config.dataDir()).isEqualTo(dataDir);
        assertThat(config.databaseUrl()).isEqualTo("jdbc:h2:file:" + dataDir.resolve("chowder") + ";AUTO_SERVER=TRUE");
        assertThat(config.databaseUser()).isEqualTo("sa");
        assertThat(config.databasePassword()).isEmpty();
        assertThat(config.databasePoolSize()).isEqualTo(10);
        assertThat(config.masterKey()).isEmpty();
        assertThat(config.http().host()).isEqualTo("0.0.0.0");
        assertThat(config.http().port()).isEqualTo(8080);
        assertThat(config.http().maxRequestBytes()).isEqualTo(20L * 1024 * 1024);
        assertThat(config.http().headerTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.gateway().connectTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.gateway().headersTimeout()).isEqualTo(Duration.ofMinutes(10));
        assertThat(config.gateway().idleTimeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(config.gateway().totalTimeout()).isEqualTo(Duration.ofMinutes(60));
        assertThat(config.http().shutdownGrace()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.maxInstancesPerOrganization()).isEqualTo(100);
        assertThat(config.maxKeysPerOrganization()).isEqualTo(1000);
        assertThat(config.http().signupEnabled()).isFalse();
        assertThat(config.http().adminToken()).isEmpty();
        assertThat(config.healthProbeInterval()).isEqualTo(Duration.ofSeconds(15));
        assertThat(config.gateway().probeTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.gateway().allowedNetworks()).isEmpty();
        assertThat(config.gateway().maxResponseBytes()).isEqualTo(8L * 1024 * 1024);
        assertThat(config.gateway().bufferedBytesMax()).isEqualTo(Math.max(Runtime.getRuntime().maxMemory() / 4, 32L * 1024 * 1024));
        assertThat(config.http().requestBufferedBytesMax()).isEqualTo(Math.max(Runtime.getRuntime().maxMemory() / 4, 80L * 1024 * 1024));
        assertThat(config.http().minBodyBytesPerSecond()).isEqualTo(1024);
        assertThat(config.http().requestBufferedBytesPerOrganization()).isEqualTo(config.http().requestBufferedBytesMax() / 2);
        assertThat(config.metrics().enabled()).isTrue();
        assertThat(config.metrics().bearerToken()).isEmpty();
        SandboxConfig sandbox = config.provisioner().sandbox();
        assertThat(sandbox.mode()).isEqualTo(SandboxConfig.Mode.BUBBLEWRAP);
        assertThat(sandbox.firstUid()).isEqualTo(1_500_000_000L);
        assertThat(sandbox.memoryBytes()).isEqualTo(2L * 1024 * 1024 * 1024);
        assertThat(sandbox.maxProcesses()).isEqualTo(512);
        assertThat(sandbox.cpus()).isEqualTo(1.0);
        assertThat(sandbox.maxOpenFiles()).isEqualTo(4096);
        assertThat(sandbox.egressAllowed()).isEmpty();
        assertThat(config.provisioner().runtimeDir().toString()).matches("/dev/shm/chowder-[0-9]+");
        assertThat(config.skills().catalog()).isEmpty();
        assertThat(config.skills().clawHub()).isFalse();
        assertThat(config.skills().maxBytes()).isEqualTo(8L * 1024 * 1024);
    }

    @Test
    void skillsMapping(@org.junit.jupiter.api.io.TempDir Path catalog) {
        ChowderConfig config = ChowderConfig.fromEnvironment(Map.of("CHOWDER_SKILLS_CATALOG", catalog.toString(), "CHOWDER_SKILLS_CLAWHUB", "on",
                "CHOWDER_SKILLS_MAX_BYTES", "1M", "CHOWDER_RUNTIME_DIR", "/run/chowder-configs"));
        assertThat(config.skills().catalog()).contains(catalog.toAbsolutePath().normalize());
        assertThat(config.skills().clawHub()).isTrue();
        assertThat(config.skills().maxBytes()).isEqualTo(1024 * 1024);
        assertThat(config.provisioner().runtimeDir()).isEqualTo(Path.of("/run/chowder-configs"));
    }

    @Test
    void modelEgressMapping() {
        ChowderConfig config = ChowderConfig.fromEnvironment(Map.ofEntries(Map.entry("CHOWDER_OPERATOR_MODEL_KEYS", "none"),
                Map.entry("CHOWDER_MODEL_ENDPOINT_PORT", "47001"), Map.entry("CHOWDER_MODEL_CONNECT_TIMEOUT", "3s"),
                Map.entry("CHOWDER_MODEL_IDLE_TIMEOUT", "90s"), Map.entry("CHOWDER_MODEL_MAX_REQUEST_BYTES", "16M"),
                Map.entry("CHOWDER_MODEL_MAX_CALLS_PER_INSTANCE", "3"), Map.entry("CHOWDER_MODEL_MAX_CALLS_PER_ORGANIZATION", "12"),
                Map.entry("CHOWDER_MODEL_MAX_CONNECTIONS", "100"), Map.entry("CHOWDER_MODEL_METERING_CONCURRENCY", "2"),
                Map.entry("CHOWDER_MODEL_OUTPUT_ESTIMATE", "8192"),
                Map.entry("CHOWDER_MODEL_ANTHROPIC_BETAS", "context-1m-2025-08-07, fine-grained-tool-streaming-2025-05-14"),
                Map.entry("CHOWDER_HTTP_REFUSED_BODY_LINGER", "0s"), Map.entry("CHOWDER_HTTP_HEADER_TIMEOUT", "4s"),
                Map.entry("CHOWDER_HTTP_MIN_BODY_RATE", "0")));
        assertThat(config.operatorModelKeysForAll()).isFalse();
        assertThat(config.modelEndpoint()).isEqualTo(new ModelEndpointConfig(47001, java.time.Duration.ofSeconds(3),
                java.time.Duration.ofSeconds(90), 16 * 1024 * 1024, ModelEndpointConfig.DEFAULT_MAX_USAGE_BYTES, 3, 12, 100, 2, 8192,
                java.util.Set.of("context-1m-2025-08-07", "fine-grained-tool-streaming-2025-05-14"), java.time.Duration.ZERO,
                java.time.Duration.ofSeconds(4), 0));
        assertThat(ChowderConfig.fromEnvironment(Map.of("CHOWDER_MODEL_ANTHROPIC_BETAS", "none")).modelEndpoint().anthropicBetas()).isEmpty();
        ChowderConfig defaults = ChowderConfig.fromEnvironment(Map.of());
        assertThat(defaults.operatorModelKeysForAll()).isTrue();
        assertThat(defaults.modelEndpoint()).isEqualTo(ModelEndpointConfig.DEFAULTS);
        assertThat(defaults.provisioner().modelProviders().names()).extracting(chowder.domain.ModelProviderName::value)
                .containsExactlyInAnyOrder("anthropic", "openai", "gemini");
    }

    @Test
    void sandboxMapping() throws Exception {
        SandboxConfig sandbox = ChowderConfig.fromEnvironment(Map.of(
                "CHOWDER_SANDBOX", "off",
                "CHOWDER_SANDBOX_FIRST_UID", "300000",
                "CHOWDER_SANDBOX_MEMORY", "768M",
                "CHOWDER_SANDBOX_MEMORY_PER_ORG", "6G",
                "CHOWDER_SANDBOX_PROCESSES", "2048",
                "CHOWDER_SANDBOX_PROCESSES_PER_ORG", "9000",
                "CHOWDER_SANDBOX_CPUS", "2.5",
                "CHOWDER_SANDBOX_OPEN_FILES", "65536",
                "CHOWDER_SANDBOX_MAX_CONNECTIONS", "0",
                "CHOWDER_SANDBOX_EGRESS_ALLOW", "api.telegram.org:443, 10.0.0.5:8000")).provisioner().sandbox();
        assertThat(sandbox.mode()).isEqualTo(SandboxConfig.Mode.OFF);
        assertThat(sandbox.firstUid()).isEqualTo(300_000L);
        assertThat(sandbox.memoryBytes()).isEqualTo(768L * 1024 * 1024);
        assertThat(sandbox.perOrganization()).isEqualTo(new SandboxConfig.OrganizationLimits(6L * 1024 * 1024 * 1024, 9000));
        // By default half of the host's memory and of its process ids: no organization's gateways together take all of either.
        long hostMemory = ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getTotalMemorySize();
        int pidMax;
        try (java.io.InputStream in = new java.io.FileInputStream("/proc/sys/kernel/pid_max")) {
            pidMax = Integer.parseInt(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).strip());
        }
        assertThat(pidMax).as("kernel.pid_max").isGreaterThanOrEqualTo(301);
        assertThat(ChowderConfig.fromEnvironment(Map.of()).provisioner().sandbox().perOrganization())
                .isEqualTo(new SandboxConfig.OrganizationLimits(Math.max(hostMemory / 2, 2L << 30), Math.max(pidMax / 2, 512)));
        // Never below one instance's limits as set: a small host still runs one gateway.
        assertThat(ChowderConfig.fromEnvironment(Map.of("CHOWDER_SANDBOX_MEMORY", "1024G", "CHOWDER_SANDBOX_PROCESSES", "4000000"))
                .provisioner().sandbox().perOrganization()).isEqualTo(new SandboxConfig.OrganizationLimits(1024L << 30, 4_000_000));
        assertThat(ChowderConfig.fromEnvironment(Map.of("CHOWDER_SANDBOX_MEMORY_PER_ORG", "0", "CHOWDER_SANDBOX_PROCESSES_PER_ORG", "0"))
                .provisioner().sandbox().perOrganization()).isEqualTo(SandboxConfig.OrganizationLimits.NONE);
        assertThat(sandbox.maxProcesses()).isEqualTo(2048);
        assertThat(sandbox.cpus()).isEqualTo(2.5);
        assertThat(sandbox.maxOpenFiles()).isEqualTo(65536);
        assertThat(sandbox.maxConnectionsPerPort()).isZero();
        assertThat(ChowderConfig.fromEnvironment(Map.of()).provisioner().sandbox().maxConnectionsPerPort()).isEqualTo(64);
        assertThat(sandbox.egressAllowed()).extracting(Object::toString).containsExactly("api.telegram.org:443", "10.0.0.5:8000");
        assertThat(ChowderConfig.fromEnvironment(Map.of("CHOWDER_SANDBOX_MEMORY", "3221225472")).provisioner().sandbox().memoryBytes())
                .isEqualTo(3L * 1024 * 1024 * 1024);
        assertThat(ChowderConfig.fromEnvironment(Map.of("CHOWDER_SANDBOX_MEMORY", "4g")).provisioner().sandbox().memoryBytes())
                .isEqualTo(4L * 1024 * 1024 * 1024);
    }

    @Test
    void explicitMapping() {
        ChowderConfig config = ChowderConfig.fromEnvironment(Map.ofEntries(
                Map.entry("CHOWDER_DATA_DIR", "/var/lib/chowder"),
                Map.entry("CHOWDER_DATABASE_URL", "jdbc:postgresql://db:5432/chowder"),
                Map.entry("CHOWDER_DATABASE_USER", "chowder"),
                Map.entry("CHOWDER_DATABASE_PASSWORD", "db-password"),
                Map.entry("CHOWDER_DATABASE_POOL_SIZE", "25"),
                Map.entry("CHOWDER_MASTER_KEY", "a2V5"),
                Map.entry("CHOWDER_HTTP_HOST", "127.0.0.1"),
                Map.entry("CHOWDER_HTTP_PORT", "9090"),
                Map.entry("CHOWDER_MAX_REQUEST_BYTES", "1048576"),
                Map.entry("CHOWDER_HTTP_HEADER_TIMEOUT", "2500ms"),
                Map.entry("CHOWDER_HTTP_MIN_BODY_RATE", "2K"),
                Map.entry("CHOWDER_HTTP_REFUSED_BODY_LINGER", "5s"),
                Map.entry("CHOWDER_GATEWAY_CONNECT_TIMEOUT", "750ms"),
                Map.entry("CHOWDER_GATEWAY_HEADERS_TIMEOUT", "2h"),
                Map.entry("CHOWDER_GATEWAY_IDLE_TIMEOUT", "90s"),
                Map.entry("CHOWDER_GATEWAY_TOTAL_TIMEOUT", "3h"),
                Map.entry("CHOWDER_SHUTDOWN_GRACE", "0s"),
                Map.entry("CHOWDER_MAX_INSTANCES_PER_ORG", "7"),
                Map.entry("CHOWDER_MAX_KEYS_PER_ORG", "40"),
                Map.entry("CHOWDER_SIGNUP_ENABLED", "true"),
                Map.entry("CHOWDER_HEALTH_PROBE_INTERVAL", "2m"),
                Map.entry("CHOWDER_HEALTH_PROBE_TIMEOUT", "1500ms"),
                Map.entry("CHOWDER_GATEWAY_ALLOWED_NETWORKS", "10.0.0.0/8, fd00::/8"),
                Map.entry("CHOWDER_GATEWAY_MAX_RESPONSE_BYTES", "1000"),
                Map.entry("CHOWDER_GATEWAY_BUFFERED_BYTES_MAX", "5000"),
                Map.entry("CHOWDER_REQUEST_BUFFERED_BYTES_MAX", "33554432"),
                Map.entry("CHOWDER_REQUEST_BUFFERED_BYTES_PER_ORGANIZATION", "20000000"),
                Map.entry("CHOWDER_METRICS_ENABLED", "false"),
                Map.entry("CHOWDER_METRICS_TOKEN", "metrics-token-0123456789"),
                Map.entry("CHOWDER_ADMIN_TOKEN", " admin-token-0123456789abcdef0123456789 ")));
        assertThat(config.dataDir()).isEqualTo(Path.of("/var/lib/chowder"));
        assertThat(config.databaseUrl()).isEqualTo("jdbc:postgresql://db:5432/chowder");
        assertThat(config.databaseUser()).isEqualTo("chowder");
        assertThat(config.databasePassword()).contains("db-password");
        assertThat(config.databasePoolSize()).isEqualTo(25);
        assertThat(config.masterKey()).contains("a2V5");
        assertThat(config.http().host()).isEqualTo("127.0.0.1");
        assertThat(config.http().port()).isEqualTo(9090);
        assertThat(config.http().maxRequestBytes()).isEqualTo(1_048_576);
        assertThat(config.http().headerTimeout()).isEqualTo(Duration.ofMillis(2500));
        assertThat(config.http().refusedBodyLinger()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.gateway().connectTimeout()).isEqualTo(Duration.ofMillis(750));
        assertThat(config.gateway().headersTimeout()).isEqualTo(Duration.ofHours(2));
        assertThat(config.gateway().idleTimeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(config.gateway().totalTimeout()).isEqualTo(Duration.ofHours(3));
        assertThat(config.http().shutdownGrace()).isEqualTo(Duration.ZERO);
        assertThat(config.maxInstancesPerOrganization()).isEqualTo(7);
        assertThat(config.maxKeysPerOrganization()).isEqualTo(40);
        assertThat(config.http().signupEnabled()).isTrue();
        assertThat(config.healthProbeInterval()).isEqualTo(Duration.ofMinutes(2));
        assertThat(config.gateway().probeTimeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(config.gateway().allowedNetworks()).containsExactly("10.0.0.0/8", "fd00::/8");
        assertThat(config.gateway().maxResponseBytes()).isEqualTo(1000);
        assertThat(config.gateway().bufferedBytesMax()).isEqualTo(5000);
        assertThat(config.http().requestBufferedBytesMax()).isEqualTo(33554432);
        assertThat(config.http().requestBufferedBytesPerOrganization()).isEqualTo(20000000);
        assertThat(config.http().minBodyBytesPerSecond()).isEqualTo(2048);
        assertThat(config.modelEndpoint().minBodyBytesPerSecond()).isEqualTo(2048);
        assertThat(config.modelEndpoint().headerTimeout()).isEqualTo(Duration.ofMillis(2500));
        assertThat(config.metrics().enabled()).isFalse();
        assertThat(config.metrics().bearerToken()).contains("metrics-token-0123456789");
        assertThat(config.http().adminToken()).hasValueSatisfying(token -> assertThat(token.value()).isEqualTo("admin-token-0123456789abcdef0123456789"));
        assertThat(config.toString()).doesNotContain("db-password").doesNotContain("a2V5").doesNotContain("metrics-token").doesNotContain("admin-token");
    }

    @Test
    void theDefaultBoundOnBufferedAnswersAlwaysLeavesAnOrganizationRoomForTheLargestAnswer() {
        long large = Math.min(Runtime.getRuntime().maxMemory() / 4, Integer.MAX_VALUE - 16);
        ChowderConfig config = ChowderConfig.fromEnvironment(Map.of("CHOWDER_GATEWAY_MAX_RESPONSE_BYTES", String.valueOf(large)));
        assertThat(config.gateway().bufferedBytesMax()).isGreaterThanOrEqualTo(4 * large);
    }

    @Test
    void theRequestBodiesBudgetFitsTwoOfTheLargestBodyEitherListenerTakes() {
        long model = 512L * 1024 * 1024;
        ChowderConfig config = ChowderConfig.fromEnvironment(Map.of("CHOWDER_MODEL_MAX_REQUEST_BYTES", "512M"));
        assertThat(config.http().requestBufferedBytesMax()).isGreaterThanOrEqualTo(4 * model);
        assertThatThrownBy(() -> ChowderConfig.fromEnvironment(Map.of("CHOWDER_MODEL_MAX_REQUEST_BYTES", "64M",
                "CHOWDER_REQUEST_BUFFERED_BYTES_MAX", String.valueOf(100L * 1024 * 1024))))
                .hasMessageContaining("CHOWDER_REQUEST_BUFFERED_BYTES_MAX=104857600 is invalid: must be at least four times "
                        + "CHOWDER_MODEL_MAX_REQUEST_BYTES (268435456): one organization may hold half of it by default "
                        + "(CHOWDER_REQUEST_BUFFERED_BYTES_PER_ORGANIZATION), room for two bodies of the largest size");
    }

    @Test
    void aRejectedMetricsTokenIsNotShown() {
        assertThatThrownBy(() -> ChowderConfig.fromEnvironment(Map.of("CHOWDER_METRICS_TOKEN", "tooShortSecret")))
                .hasMessageStartingWith("CHOWDER_METRICS_TOKEN=(hidden)")
                .message().doesNotContain("tooShortSecret");
    }

    @Test
    void aShortAdminTokenIsRefusedNamingTheVariableWithoutShowingItAndABlankOneLeavesTheAdminApiOff() {
        assertThatThrownBy(() -> ChowderConfig.fromEnvironment(Map.of("CHOWDER_ADMIN_TOKEN", "a-31-character-admin-token-1234")))
                .isInstanceOf(InvalidConfigurationException.class).hasMessage("CHOWDER_ADMIN_TOKEN=(hidden) is invalid: must be at least 32 characters")
                .message().doesNotContain("a-31-character");
        assertThat(ChowderConfig.fromEnvironment(Map.of("CHOWDER_ADMIN_TOKEN", "  ")).http().adminToken()).isEmpty();
    }

    @Test
    void databaseCredentialsNeverReachTheLogs() {
        ChowderConfig config = ChowderConfig.fromEnvironment(Map.of("CHOWDER_DATABASE_URL",
                "jdbc:postgresql://chowder:s3cret@db:5432/chowder?user=chowder&password=s3cret&ssl=true"));
        assertThat(config.toString()).doesNotContain("s3cret").contains("password=(redacted)").contains("ssl=true");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "CHOWDER_HTTP_PORT|http|not a number",
            "CHOWDER_HTTP_PORT|70000|from 0 to 65535",
            "CHOWDER_DATABASE_URL|jdbc:mysql://x|jdbc:h2: or jdbc:postgresql:",
            "CHOWDER_DATABASE_POOL_SIZE|0|at least 1",
            "CHOWDER_MAX_REQUEST_BYTES|-5|at least 1",
            "CHOWDER_MAX_CONTROL_BODY_BYTES|0|at least 1",
            "CHOWDER_HTTP_HEADER_TIMEOUT|0s|longer than zero",
            "CHOWDER_HTTP_HEADER_TIMEOUT|30|500ms, 30s",
            "CHOWDER_GATEWAY_CONNECT_TIMEOUT|5|500ms, 30s",
            "CHOWDER_GATEWAY_HEADERS_TIMEOUT|0s|longer than zero",
            "CHOWDER_GATEWAY_IDLE_TIMEOUT|fast|500ms, 30s",
            "CHOWDER_GATEWAY_TOTAL_TIMEOUT|-1m|500ms, 30s",
            "CHOWDER_SHUTDOWN_GRACE|soon|500ms, 30s",
            "CHOWDER_HTTP_REFUSED_BODY_LINGER|-1s|500ms, 30s",
            "CHOWDER_GATEWAY_MAX_RESPONSE_BYTES|9999999999|at most",
            "CHOWDER_MAX_INSTANCES_PER_ORG|-1|0 (unlimited) or more",
            "CHOWDER_MAX_KEYS_PER_ORG|1|at least 2 (an organization key is rotated by creating the new one first)",
            "CHOWDER_SIGNUP_ENABLED|maybe|true or false",
            "CHOWDER_ADMIN_TOKEN|short|at least 32 characters",
            "CHOWDER_HEALTH_PROBE_INTERVAL|0ms|longer than zero",
            "CHOWDER_GATEWAY_ALLOWED_NETWORKS|10.0.0.0/99|prefix out of range",
            "CHOWDER_GATEWAY_ALLOWED_NETWORKS|intranet|not an IP network",
            "CHOWDER_GATEWAY_MAX_RESPONSE_BYTES|lots|not a number",
            "CHOWDER_GATEWAY_BUFFERED_BYTES_MAX|0|at least 1",
            "CHOWDER_GATEWAY_BUFFERED_BYTES_MAX|much|not a number",
            "CHOWDER_GATEWAY_BUFFERED_BYTES_MAX|33554431|at least four times CHOWDER_GATEWAY_MAX_RESPONSE_BYTES (33554432)",
            "CHOWDER_REQUEST_BUFFERED_BYTES_MAX|83886079|at least four times CHOWDER_MAX_REQUEST_BYTES (83886080)",
            "CHOWDER_REQUEST_BUFFERED_BYTES_MAX|lots|not a number",
            "CHOWDER_HTTP_MIN_BODY_RATE|-5|out of range",
            "CHOWDER_REQUEST_BUFFERED_BYTES_PER_ORGANIZATION|41943039|must be from twice CHOWDER_MAX_REQUEST_BYTES (41943040) to CHOWDER_REQUEST_BUFFERED_BYTES_MAX",
            "CHOWDER_METRICS_ENABLED|perhaps|true or false",
            "CHOWDER_METRICS_TOKEN|short|at least 16 characters",
            "CHOWDER_SANDBOX|bwrap|expected bubblewrap or off",
            "CHOWDER_SANDBOX_FIRST_UID|1000|must be from 65536",
            "CHOWDER_SANDBOX_FIRST_UID|2147483000|must be from 65536",
            "CHOWDER_SANDBOX_MEMORY|100M|at least 256M",
            "CHOWDER_SANDBOX_MEMORY|lots|not a number",
            "CHOWDER_SANDBOX_MEMORY_PER_ORG|100M|0 (no bound) or at least one instance's memory (2048M, CHOWDER_SANDBOX_MEMORY)",
            "CHOWDER_SANDBOX_MEMORY_PER_ORG|-1|out of range",
            "CHOWDER_SANDBOX_PROCESSES|10|at least 64",
            "CHOWDER_SANDBOX_PROCESSES_PER_ORG|10|0 (no bound) or at least one instance's processes (512, CHOWDER_SANDBOX_PROCESSES)",
            "CHOWDER_SANDBOX_PROCESSES_PER_ORG|many|not a number",
            "CHOWDER_SANDBOX_CPUS|0|from 0.01 to 1024",
            "CHOWDER_SANDBOX_CPUS|many|not a number",
            "CHOWDER_SANDBOX_OPEN_FILES|100|at least 256",
            "CHOWDER_SANDBOX_MAX_CONNECTIONS|4|must be 0 (no bound) or at least 8",
            "CHOWDER_SANDBOX_EGRESS_ALLOW|api.openai.com|is not host:port",
            "CHOWDER_SANDBOX_EGRESS_ALLOW|10.0.0.0/40:443|prefix out of range",
            "CHOWDER_SKILLS_CATALOG|/no/such/catalog|is not a directory",
            "CHOWDER_OPENCLAW_NODE_VERSION|lts|expected a Node version such as 24.21.0",
            "CHOWDER_OPENCLAW_VERSION|latest version|expected an npm version",
            "CHOWDER_SKILLS_CLAWHUB|yes|expected on or off",
            "CHOWDER_SKILLS_MAX_BYTES|0|at least 1",
            "CHOWDER_SKILLS_MAX_BYTES|big|not a number",
            "CHOWDER_OPERATOR_MODEL_KEYS|some|expected all or none",
            "CHOWDER_MODEL_ENDPOINT_PORT|70000|port number from 0 to 65535",
            "CHOWDER_MODEL_CONNECT_TIMEOUT|0s|longer than zero",
            "CHOWDER_MODEL_IDLE_TIMEOUT|later|500ms, 30s",
            "CHOWDER_MODEL_MAX_REQUEST_BYTES|512|from 1K to 2G",
            "CHOWDER_MODEL_MAX_REQUEST_BYTES|3G|from 1K to 2G",
            "CHOWDER_MODEL_MAX_CALLS_PER_INSTANCE|0|at least 1",
            "CHOWDER_MODEL_MAX_CALLS_PER_ORGANIZATION|4|at least CHOWDER_MODEL_MAX_CALLS_PER_INSTANCE (8)",
            "CHOWDER_MODEL_MAX_CONNECTIONS|0|at least 1",
            "CHOWDER_MODEL_METERING_CONCURRENCY|none|not a number",
            "CHOWDER_MODEL_OUTPUT_ESTIMATE|0|at least 1",
            "CHOWDER_MODEL_ANTHROPIC_BETAS|a b|anthropic-beta values separated by commas",
            "CHOWDER_CACHE_POLL_INTERVAL|0ms|longer than zero",
            "CHOWDER_CACHE_LEASE|1|500ms, 30s",
            "CHOWDER_CACHE_MAX_API_KEYS|-1|0 (off) or more",
            "CHOWDER_CACHE_MAX_INSTANCES|many|not a number",
            "CHOWDER_CACHE_MAX_SESSIONS|-2|0 (off) or more",
            "CHOWDER_HTTP_ACCEPT_QUEUE|0|at least 1",
            "CHOWDER_HEALTH_PROBE_TIMEOUT|0s|longer than zero",
            "CHOWDER_PROVISIONER|remote|expected local or off",
            "CHOWDER_INSTANCE_RETENTION|week|500ms, 30s",
            "CHOWDER_GATEWAY_READY_TIMEOUT|0m|longer than zero",
            "CHOWDER_GATEWAY_RESTART_BACKOFF_MAX|soon|500ms, 30s",
            "CHOWDER_MODEL_PROVIDERS|/no/such/models.json|cannot read /no/such/models.json as JSON",
            "CHOWDER_MAX_FILE_BYTES|0|at least 1",
            "CHOWDER_MAX_LIST_ENTRIES|none|not a number",
            "CHOWDER_MAX_FILE_TRANSFERS_PER_ORGANIZATION|0|at least 1",
            "CHOWDER_TELEGRAM_API_ROOT|ftp://bots.example|http(s) URL",
            "CHOWDER_CHANNEL_PLUGIN_VERSIONS|slack|channel=version pairs"})
    void rejectsBadValuesNamingTheVariable(String variable, String value, String reason) {
        assertThatThrownBy(() -> ChowderConfig.fromEnvironment(Map.of(variable, value)))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageStartingWith(variable + "=")
                .hasMessageContaining(reason);
    }

    /** Variables any text is valid for (paths, a host, a user, secrets checked where they are used). */
    private static final java.util.Set<String> FREE_FORM = java.util.Set.of("CHOWDER_DATA_DIR", "CHOWDER_DATABASE_USER",
            "CHOWDER_DATABASE_PASSWORD", "CHOWDER_MASTER_KEY", "CHOWDER_HTTP_HOST", "CHOWDER_OPENCLAW_HOME", "CHOWDER_OPENCLAW_INSTALL_DIR",
            "CHOWDER_INSTANCES_DIR", "CHOWDER_RUNTIME_DIR");

    @Test
    void aPasswordIsTakenAsGivenAndAKeyWithoutItsSurroundingSpace() {
        ChowderConfig config = ChowderConfig.fromEnvironment(Map.of("CHOWDER_DATABASE_PASSWORD", " pass word ", "CHOWDER_MASTER_KEY", " key \n"));
        assertThat(config.databasePassword()).contains(" pass word ");
        assertThat(config.masterKey()).contains("key");
    }

    @Test
    void everyVariableThatCanBeWrongHasARejectionCase() throws NoSuchMethodException {
        String[] rows = ChowderConfigTest.class.getDeclaredMethod("rejectsBadValuesNamingTheVariable", String.class, String.class, String.class)
                .getAnnotation(CsvSource.class).value();
        java.util.Set<String> rejected = java.util.Arrays.stream(rows).map(row -> row.substring(0, row.indexOf('|')))
                .collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new));
        java.util.Set<String> expected = new java.util.TreeSet<>(ChowderConfig.variables());
        expected.removeAll(FREE_FORM);
        assertThat(rejected).isEqualTo(expected);
    }
}
