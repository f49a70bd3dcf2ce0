package chowder.adapter.openclaw.provisioner;

import static java.util.Objects.requireNonNull;

import chowder.domain.ChowderException;
import chowder.domain.InstanceSettings;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The model providers an operator offers to provisioned gateways, read from a JSON file:
 * {@code {"default_provider": "p", "providers": {"p": {"base_url": "…/v1", "api": "openai-completions",
 * "api_key_env": "P_API_KEY", "models": [{"id": "m", "context_window": 128000, "max_tokens": 4096}]}}}}.
 * An instance picks a provider with {@code model_provider} and one of its models with
 * {@code openclaw_config.model}; both default to the first. API keys are named by environment variable,
 * never written here.
 */
public record ModelProviders(String defaultProvider, Map<String, Provider> providers) {
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");
    // What OpenClaw substitutes in its config: ${NAME} with an upper-case name.
    private static final Pattern ENV_NAME = Pattern.compile("[A-Z_][A-Z0-9_]{0,127}");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** No provider: a gateway without a model, for operators who only try the provisioner out. */
    public static final ModelProviders NONE = new ModelProviders("", Map.of());

    /** One model of a provider, as OpenClaw's {@code models.providers.*.models[]} describes it. */
    public record Model(String id, int contextWindow, int maxTokens) {
        public Model {
            if (id == null || id.isBlank() || id.length() > 256 || id.chars().anyMatch(Character::isISOControl)) {
                throw new IllegalArgumentException("a model id must be 1 to 256 characters without control characters");
            }
            if (contextWindow < 1 || maxTokens < 1) {
                throw new IllegalArgumentException("context_window and max_tokens of model " + id + " must be positive");
            }
        }
    }

    /** An OpenAI-compatible (or other OpenClaw-supported {@code api}) endpoint and its models. */
    public record Provider(String baseUrl, String api, Optional<String> apiKeyEnv, List<Model> models) {
        public Provider {
            requireNonNull(baseUrl, "baseUrl is null");
            requireNonNull(api, "api is null");
            requireNonNull(apiKeyEnv, "apiKeyEnv is null");
            models = List.copyOf(models);
            if (!baseUrl.startsWith("http://") && !baseUrl.startsWith("https://")) {
                throw new IllegalArgumentException("base_url must be an http(s) URL");
            }
            try {
                // What a sandbox is let reach for it: the same rules as for CHOWDER_SANDBOX_EGRESS_ALLOW.
                chowder.adapter.openclaw.provisioner.sandbox.EgressRule.forUrl(baseUrl);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("base_url " + baseUrl + ": " + e.getMessage());
            }
            apiKeyEnv.ifPresent(name -> {
                if (!ENV_NAME.matcher(name).matches()) {
                    throw new IllegalArgumentException("api_key_env must be an upper-case environment variable name, not " + name);
                }
            });
            if (models.isEmpty()) {
                throw new IllegalArgumentException("a provider needs at least one model");
            }
        }

        Optional<Model> model(String id) {
            return models.stream().filter(model -> model.id().equals(id)).findFirst();
        }
    }

    /** The provider and model an instance's gateway uses. */
    record Selection(String providerName, Provider provider, Model model) {
        /** The model as OpenClaw names it: {@code provider/model}. */
        String reference() {
            return providerName + "/" + model.id();
        }
    }

    public ModelProviders {
        requireNonNull(defaultProvider, "defaultProvider is null");
        providers = Collections.unmodifiableMap(new LinkedHashMap<>(providers));
        providers.keySet().forEach(name -> {
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("provider name '" + name + "' must match " + NAME.pattern());
            }
        });
        if (!providers.isEmpty() && !providers.containsKey(defaultProvider)) {
            throw new IllegalArgumentException("default_provider '" + defaultProvider + "' is not one of the providers");
        }
    }

    /**
     * Reads the file; throws {@link IllegalArgumentException} naming what is wrong, including an
     * {@code api_key_env} that is not set in {@code environment}.
     */
    public static ModelProviders read(Path file, Map<String, String> environment) {
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + " as JSON: " + e.getMessage());
        }
        if (root == null || !root.path("providers").isObject() || root.path("providers").isEmpty()) {
            throw new IllegalArgumentException(file + " must be an object with a non-empty \"providers\" object");
        }
        Map<String, Provider> providers = new LinkedHashMap<>();
        root.path("providers").properties().forEach(entry -> providers.put(entry.getKey(), provider(entry.getKey(), entry.getValue())));
        providers.forEach((name, provider) -> provider.apiKeyEnv().ifPresent(variable -> {
            if (environment.getOrDefault(variable, "").isEmpty()) {
                throw new IllegalArgumentException("provider " + name + " takes its API key from " + variable + ", which is not set");
            }
        }));
        String defaultProvider = root.path("default_provider").asText(providers.keySet().iterator().next());
        return new ModelProviders(defaultProvider, providers);
    }

    /**
     * The provider named by {@code model_provider} (else the default) and the model named by
     * {@code openclaw_config.model} (else its first); throws a validation error naming the choices.
     */
    Selection select(InstanceSettings settings) {
        if (providers.isEmpty()) {
            if (settings.modelProvider().isPresent()) {
                throw ChowderException.validationFailed("model_provider: this Chowder offers no model providers (CHOWDER_MODEL_PROVIDERS).");
            }
            return null;
        }
        String providerName = settings.modelProvider().orElse(defaultProvider);
        Provider provider = providers.get(providerName);
        if (provider == null) {
            throw ChowderException.validationFailed("model_provider must be one of " + providers.keySet().stream().sorted().toList() + ".");
        }
        Optional<String> modelId = settings.openclawConfigJson().map(ModelProviders::modelOf);
        Model model = modelId.map(id -> provider.model(id).orElseThrow(() -> ChowderException.validationFailed(
                        "openclaw_config.model must be one of " + provider.models().stream().map(Model::id).toList()
                                + " for model_provider " + providerName + ".")))
                .orElse(provider.models().getFirst());
        return new Selection(providerName, provider, model);
    }

    private static String modelOf(String openclawConfigJson) {
        try {
            JsonNode model = JSON.readTree(openclawConfigJson).get("model");
            if (model == null || model.isNull()) {
                return null;
            }
            if (!model.isTextual()) {
                throw ChowderException.validationFailed("openclaw_config.model must be a string.");
            }
            return model.asText();
        } catch (IOException e) {
            throw ChowderException.validationFailed("openclaw_config must be a JSON object.");
        }
    }

    private static Provider provider(String name, JsonNode node) {
        try {
            List<Model> models = new ArrayList<>();
            for (JsonNode model : node.path("models")) {
                models.add(model.isTextual() ? new Model(model.asText(), 128_000, 4096)
                        : new Model(model.path("id").asText(null), model.path("context_window").asInt(128_000),
                                model.path("max_tokens").asInt(4096)));
            }
            String baseUrl = node.path("base_url").asText(null);
            if (baseUrl == null) {
                throw new IllegalArgumentException("base_url is required");
            }
            return new Provider(baseUrl, node.path("api").asText("openai-completions"),
                    Optional.ofNullable(node.path("api_key_env").asText(null)), models);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("provider " + name + ": " + e.getMessage());
        }
    }
}
