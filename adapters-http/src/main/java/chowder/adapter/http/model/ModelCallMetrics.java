package chowder.adapter.http.model;

import chowder.domain.ModelProviderName;
import chowder.domain.OrganizationId;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The model endpoint's series: calls by organization, provider and outcome, their tokens by type, and refusals by
 * reason. Organization ids, provider names and fixed words only: no key, no instance, no session.
 */
final class ModelCallMetrics {
    private final MeterRegistry registry;

    ModelCallMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void ended(OrganizationId organization, ModelProviderName provider, CallCharge charge) {
        String id = organization.toString();
        Counter.builder("chowder_model_requests_total").description("Model calls of provisioned gateways through Chowder's model endpoint")
                .tag("organization", id).tag("provider", provider.value()).tag("outcome", charge.outcome())
                .register(registry).increment();
        tokens(id, provider, "input", charge.tokens().inputTokens());
        tokens(id, provider, "output", charge.tokens().outputTokens());
        tokens(id, provider, "cached_input", charge.tokens().cachedInputTokens());
    }

    void refused(String reason) {
        Counter.builder("chowder_model_refused_total").description("Model calls Chowder's model endpoint refused, by reason")
                .tag("reason", reason).register(registry).increment();
    }

    private void tokens(String organization, ModelProviderName provider, String type, long tokens) {
        if (tokens > 0) {
            Counter.builder("chowder_model_tokens_total").description("Tokens charged for model calls: as providers reported them, or estimated")
                    .tag("organization", organization).tag("provider", provider.value()).tag("type", type)
                    .register(registry).increment(tokens);
        }
    }
}
