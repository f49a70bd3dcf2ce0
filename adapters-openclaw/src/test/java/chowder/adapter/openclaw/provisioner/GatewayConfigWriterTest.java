package chowder.adapter.openclaw.provisioner;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chowder.adapter.openclaw.instance.InstanceDirectory;
import chowder.domain.Channel;
import chowder.domain.ChannelSettings;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.InstanceId;
import chowder.domain.InstanceSettings;
import chowder.domain.ModelApi;
import chowder.domain.ModelApiKey;
import chowder.domain.ModelProviderName;
import chowder.domain.SkillSettings;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
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

    private static final URI MODEL_ENDPOINT = URI.create("http://127.0.0.1:47001");

    @Test
    void writesALoopbackTokenConfigWhoseModelIsReachedThroughChowderAndNoSecrets() throws Exception {
        Path file = Files.writeString(directory.resolve("models.json"), """
                {"default_provider": "local", "providers": {
                  "local": {"base_url": "http://127.0.0.1:11434/v1", "models": ["small", {"id": "large", "context_window": 32000, "max_tokens": 2048}]},
                  "cloud": {"base_url": "https://models.example/v1", "api_key_env": "CLOUD_KEY", "models": ["fast"]}}}
                """, UTF_8);
        ModelProviders providers = ModelProviders.read(file, Map.of("CLOUD_KEY", "sk-very-secret"));
        InstanceDirectory instance = InstanceDirectory.of(directory, new InstanceId(UUID.randomUUID())).create();

        Path configFile = Files.createDirectories(directory.resolve("config")).resolve(GatewayLayout.CONFIG_FILE);

        ModelProviders.Selection cloud = providers.select(settings("cloud", null));
        GatewayConfigWriter.write(configFile, GatewayConfigWriter.config(40123, GatewayLayout.onHost(directory, instance, configFile.getParent()),
                cloud, MODEL_ENDPOINT, Map.of(), Map.of(), ChannelsConfig.defaults()));
        String written = Files.readString(configFile, UTF_8);
        JsonNode config = JSON.readTree(written);

        assertThat(config.at("/gateway/port").asInt()).isEqualTo(40123);
        assertThat(config.at("/gateway/bind").asText()).isEqualTo("loopback");
        assertThat(config.at("/gateway/auth/token").asText()).isEqualTo("${OPENCLAW_GATEWAY_TOKEN}");
        assertThat(config.at("/gateway/http/endpoints/responses/enabled").asBoolean()).isTrue();
        assertThat(config.at("/agents/defaults/workspace").asText()).isEqualTo(instance.workspace().toString());
        assertThat(config.at("/agents/defaults/model/primary").asText()).isEqualTo("cloud/fast");
        // Internal tasks use the same model, not one OpenClaw derives that the operator may not offer.
        assertThat(config.at("/agents/defaults/utilityModel").asText()).isEqualTo("cloud/fast");
        // The gateway reaches its provider only through Chowder's model endpoint, with its instance's credential.
        assertThat(config.at("/models/providers/cloud/baseUrl").asText()).isEqualTo("http://127.0.0.1:47001/providers/cloud");
        assertThat(config.at("/models/providers/cloud/apiKey").asText()).isEqualTo("${MODEL_CREDENTIAL}");
        assertThat(config.at("/models/providers/cloud/api").asText()).isEqualTo("openai-completions");
        assertThat(config.at("/models/providers/local").isMissingNode()).isTrue();
        assertThat(written).doesNotContain("sk-very-secret").doesNotContain("CLOUD_KEY").doesNotContain("models.example");
        assertThat(Files.getPosixFilePermissions(configFile)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(config.at("/skills/entries").size()).isZero();
        // No channel: no plugin loads, and no channel section.
        assertThat(config.at("/plugins/enabled").asBoolean()).isFalse();
        assertThat(config.at("/channels").isMissingNode()).isTrue();

        // A sandboxed gateway runs as its own user and sees its own paths, not the host's.
        GatewayConfigWriter.write(configFile, GatewayConfigWriter.config(40123, GatewayLayout.inSandbox(), cloud, MODEL_ENDPOINT, Map.of(), Map.of(), ChannelsConfig.defaults()));
        JsonNode sandboxed = JSON.readTree(Files.readString(configFile, UTF_8));
        assertThat(sandboxed.at("/agents/defaults/workspace").asText()).isEqualTo("/instance/workspace");
        assertThat(sandboxed.at("/logging/file").asText()).isEqualTo("/instance/state/openclaw.log");
        assertThat(Files.readString(configFile, UTF_8)).doesNotContain(directory.toString()).doesNotContain("sk-very-secret");
        assertThat(Files.getPosixFilePermissions(configFile)).isEqualTo(PosixFilePermissions.fromString("rw-------"));

        assertThat(providers.select(settings(null, null)).reference()).isEqualTo("local/small");
        assertThat(providers.select(settings("local", "{\"model\": \"large\"}")).model().contextWindow()).isEqualTo(32000);
        // The hosted API's providers are offered too, with no key of the operator's: organizations bring theirs.
        assertThat(providers.names()).extracting(ModelProviderName::value).containsExactlyInAnyOrder("local", "cloud", "anthropic", "openai", "gemini");
        assertThat(providers.endpoint(ModelProviderName.ANTHROPIC)).hasValueSatisfying(anthropic -> {
            assertThat(anthropic.api()).isEqualTo(ModelApi.ANTHROPIC_MESSAGES);
            assertThat(anthropic.operatorKey()).isEmpty();
            assertThat(anthropic.operatorConfigured()).isFalse();
        });
        assertThat(providers.endpoint(new ModelProviderName("cloud"))).hasValueSatisfying(cloudEndpoint -> {
            assertThat(cloudEndpoint.operatorKey()).map(ModelApiKey::value).hasValue("sk-very-secret");
            assertThat(cloudEndpoint.models()).containsExactly("fast");
            assertThat(cloudEndpoint.toString()).doesNotContain("sk-very-secret");
        });
        assertThat(providers.defaultProvider().value()).isEqualTo("local");
    }

    @Test
    void skillSettingsBecomeSkillsEntriesWithOnlyWhatIsSetAndTheFileBelongsToItsDirectorysOwner() throws Exception {
        Path configDirectory = Files.createDirectories(directory.resolve("config"));
        // As a sandboxed instance's config directory is: given to its uid.
        Files.setAttribute(configDirectory, "unix:uid", 1_500_000_123);
        Files.setAttribute(configDirectory, "unix:gid", 1_500_000_123);
        Path configFile = configDirectory.resolve(GatewayLayout.CONFIG_FILE);
        Map<String, SkillSettings> skills = new java.util.TreeMap<>(Map.of(
                "weather", new SkillSettings(false, null, Map.of(), Map.of()),
                "image-lab", new SkillSettings(null, "sk-skill", Map.of("GEMINI_API_KEY", "g-1"), Map.of("model", "nano", "limits", Map.of("n", 2)))));

        ModelProviders.Selection model = ModelProviders.HOSTED_ONLY.select(settings("openai", null));
        GatewayConfigWriter.write(configFile, GatewayConfigWriter.config(40123, GatewayLayout.inSandbox(), model, MODEL_ENDPOINT, skills, Map.of(), ChannelsConfig.defaults()));

        JsonNode entries = JSON.readTree(Files.readString(configFile, UTF_8)).at("/skills/entries");
        assertThat(entries.get("weather").toString()).isEqualTo("{\"enabled\":false}");
        assertThat(entries.at("/image-lab/enabled").isMissingNode()).isTrue();
        assertThat(entries.at("/image-lab/apiKey").asText()).isEqualTo("sk-skill");
        assertThat(entries.at("/image-lab/env/GEMINI_API_KEY").asText()).isEqualTo("g-1");
        assertThat(entries.at("/image-lab/config/limits/n").asInt()).isEqualTo(2);
        assertThat(Files.getAttribute(configFile, "unix:uid")).isEqualTo(1_500_000_123);
        assertThat(Files.getPosixFilePermissions(configFile)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        try (var left = Files.list(configDirectory)) {
            assertThat(left).containsExactly(configFile);
        }
    }

    @Test
    void connectedChannelsLoadOnlyTheirOwnPluginsTakeTheirFieldsUnderOpenClawsKeysAndPairStrangers() throws Exception {
        Path configFile = Files.createDirectories(directory.resolve("config")).resolve(GatewayLayout.CONFIG_FILE);
        Map<Channel, ChannelSettings> channels = Map.of(
                Channel.TELEGRAM, new ChannelSettings(true, Map.of("token", "123:abc")),
                Channel.SLACK, new ChannelSettings(false, Map.of("bot_token", "xoxb-1", "app_token", "xapp-1")),
                Channel.MATRIX, new ChannelSettings(true, Map.of("homeserver", "https://matrix.example", "user_id", "@bot:example",
                        "access_token", "syt-1")));
        ChannelsConfig channelsConfig = new ChannelsConfig(URI.create("http://127.0.0.1:47002"), ChannelsConfig.DEFAULT_PLUGIN_VERSIONS);

        GatewayConfigWriter.write(configFile, GatewayConfigWriter.config(40123, GatewayLayout.inSandbox(),
                ModelProviders.HOSTED_ONLY.select(settings("openai", null)), MODEL_ENDPOINT, Map.of(), channels, channelsConfig));

        JsonNode config = JSON.readTree(Files.readString(configFile, UTF_8));
        assertThat(config.at("/plugins/enabled").asBoolean()).isTrue();
        assertThat(config.at("/plugins/allow").toString()).isEqualTo("[\"telegram\",\"slack\",\"matrix\"]");
        assertThat(config.at("/channels/telegram").toString())
                .isEqualTo("{\"enabled\":true,\"botToken\":\"123:abc\",\"dmPolicy\":\"pairing\",\"apiRoot\":\"http://127.0.0.1:47002\"}");
        // A disconnected channel is off, and keeps its fields.
        assertThat(config.at("/channels/slack/enabled").asBoolean()).isFalse();
        assertThat(config.at("/channels/slack/botToken").asText()).isEqualTo("xoxb-1");
        assertThat(config.at("/channels/slack/appToken").asText()).isEqualTo("xapp-1");
        assertThat(config.at("/channels/matrix/userId").asText()).isEqualTo("@bot:example");
        assertThat(config.at("/channels/matrix/dm/policy").asText()).isEqualTo("pairing");
        // Each person who messages the bot is a session of their own.
        assertThat(config.at("/session/dmScope").asText()).isEqualTo("per-channel-peer");
        assertThat(Files.getPosixFilePermissions(configFile)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(ChannelsConfig.defaults().pluginSpec(Channel.MSTEAMS)).isEqualTo("@openclaw/msteams@2026.9.5");
        assertThatThrownBy(() -> ChannelsConfig.checkPluginVersion(Channel.DISCORD, "latest")).hasMessageContaining("exact npm version");
        assertThatThrownBy(() -> ChannelsConfig.checkPluginVersion(Channel.TELEGRAM, "2026.9.6")).hasMessageContaining("built into OpenClaw");
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
                    assertThat(e.getMessage()).contains("model_provider must be one of [anthropic, gemini, openai, p]");
                });
        assertThatThrownBy(() -> providers.select(settings("p", "{\"model\": \"x\"}"))).hasMessageContaining("openclaw_config.model must be one of [m]");
        // Only formats the model endpoint relays: another would leave the gateway without a model.
        Path gemini = Files.writeString(directory.resolve("native.json"),
                "{\"providers\": {\"g\": {\"base_url\": \"https://g.example\", \"api\": \"google-generative-ai\", \"models\": [\"m\"]}}}", UTF_8);
        assertThatThrownBy(() -> ModelProviders.read(gemini, Map.of())).hasMessageContaining("provider g: api must be one of "
                + "[openai-completions, openai-responses, anthropic-messages]");
        Path badDefault = Files.writeString(directory.resolve("default.json"),
                "{\"default_provider\": \"nope\", \"providers\": {\"p\": {\"base_url\": \"http://x/v1\", \"models\": [\"m\"]}}}", UTF_8);
        assertThatThrownBy(() -> ModelProviders.read(badDefault, Map.of())).hasMessageContaining("default_provider 'nope'");
    }

    @Test
    void onlyTheHostedProvidersAndThoseTheOperatorMarksTakeOrganizationsKeys() throws Exception {
        Path file = Files.writeString(directory.resolve("models.json"), """
                {"providers": {
                  "vllm": {"base_url": "http://127.0.0.1:8000/v1", "models": ["small"]},
                  "litellm": {"base_url": "http://127.0.0.1:4000/v1", "organization_keys": true, "models": ["any"]},
                  "openai": {"base_url": "http://127.0.0.1:5000/v1", "models": ["echo-1"]},
                  "anthropic": {"base_url": "http://127.0.0.1:5001", "api": "anthropic-messages", "organization_keys": false, "models": ["c"]}}}
                """, UTF_8);
        ModelProviders providers = ModelProviders.read(file, Map.of());

        // The operator's keyless vLLM is its own compute: a key an organization makes up must not open it.
        assertThat(providers.endpoint(new ModelProviderName("vllm")).orElseThrow().organizationKeys()).isFalse();
        assertThat(providers.endpoint(new ModelProviderName("litellm")).orElseThrow().organizationKeys()).isTrue();
        // A hosted name takes organizations' keys even where the operator moves it, unless the operator says otherwise.
        assertThat(providers.endpoint(ModelProviderName.OPENAI).orElseThrow().organizationKeys()).isTrue();
        assertThat(providers.endpoint(ModelProviderName.ANTHROPIC).orElseThrow().organizationKeys()).isFalse();
        assertThat(providers.endpoint(ModelProviderName.GEMINI).orElseThrow().organizationKeys()).isTrue();
        Path wrong = Files.writeString(directory.resolve("wrong.json"),
                "{\"providers\": {\"p\": {\"base_url\": \"http://x/v1\", \"organization_keys\": \"yes\", \"models\": [\"m\"]}}}", UTF_8);
        assertThatThrownBy(() -> ModelProviders.read(wrong, Map.of())).hasMessageContaining("provider p: organization_keys must be true or false");
    }

    private static InstanceSettings settings(String provider, String openclawConfig) {
        return new InstanceSettings(Optional.ofNullable(provider), Optional.ofNullable(openclawConfig), Optional.empty());
    }
}
