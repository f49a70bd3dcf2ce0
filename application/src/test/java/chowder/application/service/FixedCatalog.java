package chowder.application.service;

import chowder.application.port.out.ModelCatalogPort;
import chowder.domain.ModelApi;
import chowder.domain.ModelApiKey;
import chowder.domain.ModelProviderName;
import java.net.URI;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The hosted API's three providers (organizations bring keys), the operator's {@code local} provider that needs no key,
 * the operator's {@code paid} one with the operator's key, and the operator's {@code proxy} with the operator's key that
 * also takes organizations' keys; only the hosted three and {@code proxy} take organizations' keys.
 */
public final class FixedCatalog implements ModelCatalogPort {
    static final ModelProviderName LOCAL = new ModelProviderName("local");
    static final ModelProviderName PAID = new ModelProviderName("paid");
    static final ModelProviderName PROXY = new ModelProviderName("proxy");
    static final ModelApiKey OPERATOR_KEY = new ModelApiKey("sk-operator-secret");

    private final Map<ModelProviderName, ModelEndpoint> endpoints;
    private static Map<ModelProviderName, ModelEndpoint> endpoints(URI localBaseUrl) {
        return Map.of(
            ModelProviderName.ANTHROPIC, new ModelEndpoint(ModelProviderName.ANTHROPIC, URI.create("https://api.anthropic.com"),
                    ModelApi.ANTHROPIC_MESSAGES, Set.of("claude"), Optional.empty(), false, true),
            ModelProviderName.OPENAI, new ModelEndpoint(ModelProviderName.OPENAI, URI.create("https://api.openai.com/v1"),
                    ModelApi.OPENAI_COMPLETIONS, Set.of("gpt"), Optional.empty(), false, true),
            ModelProviderName.GEMINI, new ModelEndpoint(ModelProviderName.GEMINI, URI.create("https://gemini.example/v1beta/openai"),
                    ModelApi.OPENAI_COMPLETIONS, Set.of("gemini"), Optional.empty(), false, true),
            LOCAL, new ModelEndpoint(LOCAL, localBaseUrl, ModelApi.OPENAI_COMPLETIONS, Set.of("llama"),
                    Optional.empty(), true, false),
            PAID, new ModelEndpoint(PAID, URI.create("https://paid.example/v1"), ModelApi.OPENAI_RESPONSES, Set.of("big"),
                    Optional.of(OPERATOR_KEY), true, false),
            PROXY, new ModelEndpoint(PROXY, URI.create("https://proxy.example/v1"), ModelApi.OPENAI_COMPLETIONS, Set.of("any"),
                    Optional.of(OPERATOR_KEY), true, true));
    }

    private final ModelProviderName defaultProvider;

    FixedCatalog(ModelProviderName defaultProvider) {
        this(defaultProvider, URI.create("http://127.0.0.1:11434/v1"));
    }

    /** With the {@code local} provider at {@code localBaseUrl} (a scripted provider of a test). */
    FixedCatalog(ModelProviderName defaultProvider, URI localBaseUrl) {
        this.defaultProvider = defaultProvider;
        this.endpoints = endpoints(localBaseUrl);
    }

    @Override
    public Optional<ModelEndpoint> endpoint(ModelProviderName name) {
        return Optional.ofNullable(endpoints.get(name));
    }

    @Override
    public Set<ModelProviderName> names() {
        return endpoints.keySet();
    }

    @Override
    public ModelProviderName defaultProvider() {
        return defaultProvider;
    }
}
