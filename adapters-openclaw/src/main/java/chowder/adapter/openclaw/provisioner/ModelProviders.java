package chowder.adapter.openclaw.provisioner;

import static java.util.Objects.requireNonNull;

import chowder.application.port.out.ModelCatalogPort;
import chowder.domain.ChowderException;
import chowder.domain.InstanceSettings;
import chowder.domain.ModelApi;
import chowder.domain.ModelApiKey;
import chowder.domain.ModelProviderName;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The model providers of this Chowder: the hosted API's three ({@code anthropic}, {@code openai}, {@code gemini}), for
 * which organizations bring their own keys, and the operator's, read from a JSON file
 * ({@code {"default_provider": "p", "providers": {"p": {"base_url": "…/v1", "api": "openai-completions",
 * "api_key_env": "P_API_KEY", "organization_keys": false, "models": [{"id": "m", "context_window": 128000,
 * "max_tokens": 4096}]}}}}), which may also redefine the three. An instance picks a provider with {@code model_provider} and one of its models with
 * {@code openclaw_config.model}; the model defaults to the provider's first. The operator's API keys are read from
 * Chowder's environment by name, once, and never reach a gateway: Chowder puts them on the upstream call.
 */
public final class ModelProviders implements ModelCatalogPort {
    // What OpenClaw substitutes in its config: ${NAME} with an upper-case name.
    private static final Pattern ENV_NAME = Pattern.compile("[A-Z_][A-Z0-9_]{0,127}");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The hosted API's providers, with current models; an operator's file may redefine any of them. */
    private static final Map<String, Provider> HOSTED = Map.of(
            "anthropic", new Provider("https://api.anthropic.com", ModelApi.ANTHROPIC_MESSAGES, Optional.empty(), false,
                    List.of(new Model("claude-sonnet-4-5", 200_000, 8192), new Model("claude-haiku-4-5", 200_000, 8192)), true),
            "openai", new Provider("https://api.openai.com/v1", ModelApi.OPENAI_COMPLETIONS, Optional.empty(), false,
                    List.of(new Model("gpt-5-mini", 400_000, 16_384), new Model("gpt-4.1-mini", 1_047_576, 32_768)), true),
            "gemini", new Provider("https://generativelanguage.googleapis.com/v1beta/openai", ModelApi.OPENAI_COMPLETIONS,
                    Optional.empty(), false,
                    List.of(new Model("gemini-2.5-flash", 1_048_576, 8192), new Model("gemini-2.5-pro", 1_048_576, 8192)), true));

    /** Only the hosted API's three providers: what a Chowder without {@code CHOWDER_MODEL_PROVIDERS} offers. */
    public static final ModelProviders HOSTED_ONLY = new ModelProviders(ModelProviderName.ANTHROPIC.value(), Map.of());

    private final String defaultProvider;
    private final Map<String, Provider> providers;

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

    /**
     * A provider's endpoint, its format, the operator's key for it (when the operator configured one), whether the
     * operator configured it (a provider of the operator's file without a key, such as a local vLLM, needs none), its
     * models, and whether organizations may bring their own key for it ({@code organization_keys}; by default only for
     * the hosted API's three names: a key an organization makes up must not open the operator's own endpoint to it).
     */
    public record Provider(String baseUrl, ModelApi api, Optional<ModelApiKey> operatorKey, boolean operatorConfigured, List<Model> models,
            boolean organizationKeys) {
        public Provider {
            requireNonNull(baseUrl, "baseUrl is null");
            requireNonNull(api, "api is null");
            requireNonNull(operatorKey, "operatorKey is null");
            models = List.copyOf(models);
            if (!baseUrl.startsWith("http://") && !baseUrl.startsWith("https://")) {
                throw new IllegalArgumentException("base_url must be an http(s) URL");
            }
            try {
                URI.create(baseUrl);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("base_url is not a URL: " + e.getMessage());
            }
            if (models.isEmpty()) {
                throw new IllegalArgumentException("a provider needs at least one model");
            }
        }

        Optional<Model> model(String id) {
            return models.stream().filter(model -> model.id().equals(id)).findFirst();
        }

        @Override
        public String toString() {
            return "Provider[" + baseUrl + " " + api.openClawName() + (operatorKey.isPresent() ? " with the operator's key" : "") + "]";
        }
    }

    /** The provider and model an instance's gateway uses. */
    record Selection(String providerName, Provider provider, Model model) {
        /** The model as OpenClaw names it: {@code provider/model}. */
        String reference() {
            return providerName + "/" + model.id();
        }
    }

    /**
     * @param operatorProviders the operator's providers by name (they replace the hosted ones of the same name)
     * @param defaultProvider the provider of an instance created without one: one of the hosted or the operator's
     */
    public ModelProviders(String defaultProvider, Map<String, Provider> operatorProviders) {
        requireNonNull(defaultProvider, "defaultProvider is null");
        Map<String, Provider> all = new LinkedHashMap<>(HOSTED);
        operatorProviders.forEach((name, provider) -> {
            new ModelProviderName(name);
            all.put(name, provider);
        });
        this.providers = Collections.unmodifiableMap(all);
        if (!providers.containsKey(defaultProvider)) {
            throw new IllegalArgumentException("default_provider '" + defaultProvider + "' is not one of the providers " + names());
        }
        this.defaultProvider = defaultProvider;
    }

    /**
     * Reads the operator's file; throws {@link IllegalArgumentException} naming what is wrong, including an
     * {@code api_key_env} that is not set in {@code environment}. Without {@code default_provider} the file's first provider
     * is the default.
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
        root.path("providers").properties().forEach(entry -> providers.put(entry.getKey(), provider(entry.getKey(), entry.getValue(),
                environment)));
        String defaultProvider = root.path("default_provider").asText(providers.keySet().iterator().next());
        try {
            return new ModelProviders(defaultProvider, providers);
        } catch (ChowderException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage());
        }
    }

    @Override
    public Optional<ModelEndpoint> endpoint(ModelProviderName name) {
        return Optional.ofNullable(providers.get(name.value())).map(provider -> new ModelEndpoint(name, URI.create(provider.baseUrl()),
                provider.api(), provider.models().stream().map(Model::id).collect(Collectors.toSet()), provider.operatorKey(),
                provider.operatorConfigured(), provider.organizationKeys()));
    }

    @Override
    public Set<ModelProviderName> names() {
        return providers.keySet().stream().map(ModelProviderName::new).collect(Collectors.toUnmodifiableSet());
    }

    @Override
    public ModelProviderName defaultProvider() {
        return new ModelProviderName(defaultProvider);
    }

    /**
     * The provider named by {@code model_provider} (which the application fills in before a gateway is prepared) and
     * the model named by {@code openclaw_config.model} (else its first); throws a validation error naming the choices.
     */
    Selection select(InstanceSettings settings) {
        String providerName = settings.modelProvider().orElse(defaultProvider);
        Provider provider = providers.get(providerName);
        if (provider == null) {
            throw ChowderException.validationFailed("model_provider must be one of " + names().stream().sorted().toList() + ".");
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

    private static Provider provider(String name, JsonNode node, Map<String, String> environment) {
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
            String apiName = node.path("api").asText(ModelApi.OPENAI_COMPLETIONS.openClawName());
            ModelApi api = ModelApi.fromOpenClawName(apiName).orElseThrow(() -> new IllegalArgumentException("api must be one of "
                    + Arrays.stream(ModelApi.values()).map(ModelApi::openClawName).toList() + " (the formats Chowder's model endpoint relays), not "
                    + apiName));
            Optional<ModelApiKey> key = Optional.ofNullable(node.path("api_key_env").asText(null)).map(variable -> {
                if (!ENV_NAME.matcher(variable).matches()) {
                    throw new IllegalArgumentException("api_key_env must be an upper-case environment variable name, not " + variable);
                }
                String value = environment.getOrDefault(variable, "");
                if (value.isEmpty()) {
                    throw new IllegalArgumentException("takes its API key from " + variable + ", which is not set");
                }
                try {
                    return new ModelApiKey(value);
                } catch (ChowderException e) {
                    throw new IllegalArgumentException(variable + ": " + e.getMessage());
                }
            });
            JsonNode organizationKeys = node.path("organization_keys");
            if (!organizationKeys.isMissingNode() && !organizationKeys.isBoolean()) {
                throw new IllegalArgumentException("organization_keys must be true or false");
            }
            return new Provider(baseUrl, api, key, true, models, organizationKeys.asBoolean(HOSTED.containsKey(name)));
        } catch (IllegalArgumentException | ChowderException e) {
            throw new IllegalArgumentException("provider " + name + ": " + e.getMessage());
        }
    }
}
