package chowder.adapter.openclaw.provisioner;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.InstanceId;
import chowder.domain.InstanceSettings;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GatewayConfigWriterTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path directory;

    @Test
    void writesALoopbackTokenConfigWithTheChosenModelAndNoSecrets() throws Exception {
        Path file = Files.writeString(directory.resolve("models.json"), """
                {"default_provider": "local", "providers": {
                  "local": {"base_url": "http://127.0.0.1:11434/v1", "models": ["small", {"id": "large", "context_window": 32000, "max_tokens": 2048}]},
                  "cloud": {"base_url": "https://models.example/v1", "api_key_env": "CLOUD_KEY", "models": ["fast"]}}}
                """, UTF_8);
        ModelProviders providers = ModelProviders.read(file, Map.of("CLOUD_KEY", "sk-very-secret"));
        InstanceDirectory instance = InstanceDirectory.of(directory, new InstanceId(UUID.randomUUID())).create();

        ModelProviders.Selection cloud = providers.select(settings("cloud", null));
        GatewayConfigWriter.write(instance.config(), GatewayConfigWriter.config(40123, GatewayLayout.onHost(directory, instance), cloud), false);
        String written = Files.readString(instance.config(), UTF_8);
        JsonNode config = JSON.readTree(written);

        assertThat(config.at("/gateway/port").asInt()).isEqualTo(40123);
        assertThat(config.at("/gateway/bind").asText()).isEqualTo("loopback");
        assertThat(config.at("/gateway/auth/token").asText()).isEqualTo("${OPENCLAW_GATEWAY_TOKEN}");
        assertThat(config.at("/gateway/http/endpoints/responses/enabled").asBoolean()).isTrue();
        assertThat(config.at("/agents/defaults/workspace").asText()).isEqualTo(instance.workspace().toString());
        assertThat(config.at("/agents/defaults/model/primary").asText()).isEqualTo("cloud/fast");
        assertThat(config.at("/models/providers/cloud/apiKey").asText()).isEqualTo("${CLOUD_KEY}");
        assertThat(config.at("/models/providers/local").isMissingNode()).isTrue();
        assertThat(written).doesNotContain("sk-very-secret");
        assertThat(Files.getPosixFilePermissions(instance.config())).isEqualTo(PosixFilePermissions.fromString("rw-------"));

        // A sandboxed gateway runs as its own user and sees its own paths, not the host's.
        GatewayConfigWriter.write(instance.config(), GatewayConfigWriter.config(40123, GatewayLayout.inSandbox(), cloud), true);
        JsonNode sandboxed = JSON.readTree(Files.readString(instance.config(), UTF_8));
        assertThat(sandboxed.at("/agents/defaults/workspace").asText()).isEqualTo("/instance/workspace");
        assertThat(sandboxed.at("/logging/file").asText()).isEqualTo("/instance/state/openclaw.log");
        assertThat(Files.readString(instance.config(), UTF_8)).doesNotContain(directory.toString()).doesNotContain("sk-very-secret");
        assertThat(Files.getPosixFilePermissions(instance.config())).isEqualTo(PosixFilePermissions.fromString("rw-r--r--"));

        assertThat(providers.select(settings(null, null)).reference()).isEqualTo("local/small");
        assertThat(providers.select(settings("local", "{\"model\": \"large\"}")).model().contextWindow()).isEqualTo(32000);
    }

    @Test
    void refusesUnknownProvidersModelsAndUnsetKeys() throws Exception {
        Path file = Files.writeString(directory.resolve("models.json"),
                "{\"providers\": {\"p\": {\"base_url\": \"http://127.0.0.1:1/v1\", \"api_key_env\": \"P_KEY\", \"models\": [\"m\"]}}}", UTF_8);
        assertThatThrownBy(() -> ModelProviders.read(file, Map.of())).hasMessageContaining("P_KEY").hasMessageContaining("not set");
        ModelProviders providers = ModelProviders.read(file, Map.of("P_KEY", "k"));
        assertThatThrownBy(() -> providers.select(settings("other", null)))
                .isInstanceOfSatisfying(ChowderException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.VALIDATION_FAILED);
                    assertThat(e.getMessage()).contains("model_provider must be one of [p]");
                });
        assertThatThrownBy(() -> providers.select(settings("p", "{\"model\": \"x\"}"))).hasMessageContaining("openclaw_config.model must be one of [m]");
    }

    private static InstanceSettings settings(String provider, String openclawConfig) {
        return new InstanceSettings(Optional.ofNullable(provider), Optional.ofNullable(openclawConfig), Optional.empty());
    }
}
