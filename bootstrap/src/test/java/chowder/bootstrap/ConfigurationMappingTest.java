package chowder.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every variable reaches the configuration: set alone to a valid value other than its default, it changes what
 * {@link ChowderConfig#fromEnvironment} reads (the exact mappings are in {@link ChowderConfigTest}). A variable read
 * nowhere, or read into the wrong place and lost, fails here.
 */
class ConfigurationMappingTest {
    @TempDir
    Path directory;

    @Test
    void everyVariableChangesTheConfigurationItIsReadInto() throws Exception {
        Path models = Files.writeString(directory.resolve("models.json"),
                "{\"providers\": {\"vllm\": {\"base_url\": \"http://127.0.0.1:8000/v1\", \"models\": [\"small\"]}}}", StandardCharsets.UTF_8);
        Map<String, String> values = new TreeMap<>(Map.ofEntries(
                Map.entry("CHOWDER_DATA_DIR", directory.resolve("data").toString()),
                Map.entry("CHOWDER_DATABASE_URL", "jdbc:postgresql://db:5432/chowder"),
                Map.entry("CHOWDER_DATABASE_USER", "chowder"),
                Map.entry("CHOWDER_DATABASE_PASSWORD", "a-password"),
                Map.entry("CHOWDER_DATABASE_POOL_SIZE", "3"),
                Map.entry("CHOWDER_MASTER_KEY", "a-key-checked-when-the-store-opens"),
                Map.entry("CHOWDER_HTTP_HOST", "127.0.0.1"),
                Map.entry("CHOWDER_HTTP_PORT", "9090"),
                Map.entry("CHOWDER_MAX_REQUEST_BYTES", "1024"),
                Map.entry("CHOWDER_MAX_CONTROL_BODY_BYTES", "512"),
                Map.entry("CHOWDER_HTTP_ACCEPT_QUEUE", "64"),
                Map.entry("CHOWDER_HTTP_HEADER_TIMEOUT", "5s"),
                Map.entry("CHOWDER_HTTP_REFUSED_BODY_LINGER", "0s"),
                Map.entry("CHOWDER_GATEWAY_CONNECT_TIMEOUT", "1s"),
                Map.entry("CHOWDER_GATEWAY_HEADERS_TIMEOUT", "1m"),
                Map.entry("CHOWDER_GATEWAY_IDLE_TIMEOUT", "1m"),
                Map.entry("CHOWDER_GATEWAY_TOTAL_TIMEOUT", "2h"),
                Map.entry("CHOWDER_SHUTDOWN_GRACE", "1s"),
                Map.entry("CHOWDER_MAX_INSTANCES_PER_ORG", "5"),
                Map.entry("CHOWDER_MAX_KEYS_PER_ORG", "5"),
                Map.entry("CHOWDER_HEALTH_PROBE_INTERVAL", "1m"),
                Map.entry("CHOWDER_HEALTH_PROBE_TIMEOUT", "1s"),
                Map.entry("CHOWDER_GATEWAY_ALLOWED_NETWORKS", "10.0.0.0/8"),
                Map.entry("CHOWDER_SIGNUP_ENABLED", "true"),
                Map.entry("CHOWDER_ADMIN_TOKEN", "an-admin-token-of-thirty-two-or-more-characters"),
                Map.entry("CHOWDER_GATEWAY_MAX_RESPONSE_BYTES", "1024"),
                Map.entry("CHOWDER_GATEWAY_BUFFERED_BYTES_MAX", "99999999999"),
                Map.entry("CHOWDER_REQUEST_BUFFERED_BYTES_MAX", "99999999999"),
                Map.entry("CHOWDER_REQUEST_BUFFERED_BYTES_PER_ORGANIZATION", "99999999"),
                Map.entry("CHOWDER_HTTP_MIN_BODY_RATE", "0"),
                Map.entry("CHOWDER_CACHE_POLL_INTERVAL", "100ms"),
                Map.entry("CHOWDER_CACHE_LEASE", "2s"),
                Map.entry("CHOWDER_CACHE_MAX_API_KEYS", "0"),
                Map.entry("CHOWDER_CACHE_MAX_INSTANCES", "0"),
                Map.entry("CHOWDER_CACHE_MAX_SESSIONS", "0"),
                Map.entry("CHOWDER_PROVISIONER", "local"),
                Map.entry("CHOWDER_OPENCLAW_HOME", directory.resolve("openclaw").toString()),
                Map.entry("CHOWDER_OPENCLAW_VERSION", "2026.1.1"),
                Map.entry("CHOWDER_OPENCLAW_NODE_VERSION", "24.1.0"),
                Map.entry("CHOWDER_OPENCLAW_INSTALL_DIR", directory.resolve("installs").toString()),
                Map.entry("CHOWDER_INSTANCES_DIR", directory.resolve("instances").toString()),
                Map.entry("CHOWDER_RUNTIME_DIR", directory.resolve("runtime").toString()),
                Map.entry("CHOWDER_SKILLS_CATALOG", directory.toString()),
                Map.entry("CHOWDER_SKILLS_CLAWHUB", "on"),
                Map.entry("CHOWDER_SKILLS_MAX_BYTES", "1M"),
                Map.entry("CHOWDER_TELEGRAM_API_ROOT", "http://127.0.0.1:8081"),
                Map.entry("CHOWDER_CHANNEL_PLUGIN_VERSIONS", "slack=2026.1.1"),
                Map.entry("CHOWDER_INSTANCE_RETENTION", "1h"),
                Map.entry("CHOWDER_GATEWAY_READY_TIMEOUT", "10s"),
                Map.entry("CHOWDER_GATEWAY_RESTART_BACKOFF_MAX", "5s"),
                Map.entry("CHOWDER_MODEL_PROVIDERS", models.toString()),
                Map.entry("CHOWDER_OPERATOR_MODEL_KEYS", "none"),
                Map.entry("CHOWDER_MODEL_ENDPOINT_PORT", "47001"),
                Map.entry("CHOWDER_MODEL_CONNECT_TIMEOUT", "1s"),
                Map.entry("CHOWDER_MODEL_IDLE_TIMEOUT", "1m"),
                Map.entry("CHOWDER_MODEL_MAX_REQUEST_BYTES", "1M"),
                Map.entry("CHOWDER_MODEL_MAX_CALLS_PER_INSTANCE", "2"),
                Map.entry("CHOWDER_MODEL_MAX_CALLS_PER_ORGANIZATION", "100"),
                Map.entry("CHOWDER_MODEL_MAX_CONNECTIONS", "10"),
                Map.entry("CHOWDER_MODEL_METERING_CONCURRENCY", "1"),
                Map.entry("CHOWDER_MODEL_OUTPUT_ESTIMATE", "100"),
                Map.entry("CHOWDER_MODEL_ANTHROPIC_BETAS", "none"),
                Map.entry("CHOWDER_MAX_FILE_BYTES", "1024"),
                Map.entry("CHOWDER_MAX_LIST_ENTRIES", "10"),
                Map.entry("CHOWDER_MAX_FILE_TRANSFERS_PER_ORGANIZATION", "2"),
                Map.entry("CHOWDER_METRICS_ENABLED", "false"),
                Map.entry("CHOWDER_METRICS_TOKEN", "a-token-of-sixteen-or-more"),
                Map.entry("CHOWDER_SANDBOX", "off"),
                Map.entry("CHOWDER_SANDBOX_FIRST_UID", "300000"),
                Map.entry("CHOWDER_SANDBOX_MEMORY", "512M"),
                Map.entry("CHOWDER_SANDBOX_MEMORY_PER_ORG", "3G"),
                Map.entry("CHOWDER_SANDBOX_PROCESSES", "128"),
                Map.entry("CHOWDER_SANDBOX_PROCESSES_PER_ORG", "1000"),
                Map.entry("CHOWDER_SANDBOX_CPUS", "0.5"),
                Map.entry("CHOWDER_SANDBOX_OPEN_FILES", "1024"),
                Map.entry("CHOWDER_SANDBOX_MAX_CONNECTIONS", "16"),
                Map.entry("CHOWDER_SANDBOX_EGRESS_ALLOW", "api.telegram.org:443")));
        assertThat(values.keySet()).isEqualTo(new TreeSet<>(ChowderConfig.variables()));

        String defaults = ChowderConfig.fromEnvironment(Map.of()).toString();
        ChowderConfig unchanged = ChowderConfig.fromEnvironment(Map.of());
        values.forEach((variable, value) -> {
            ChowderConfig read = ChowderConfig.fromEnvironment(Map.of(variable, value));
            // Secrets never show in toString(): for them, equality says whether they were read.
            assertThat(read.toString().equals(defaults) && read.equals(unchanged)).as(variable + "=" + value + " changed nothing").isFalse();
        });
    }
}
