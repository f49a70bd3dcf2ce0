package chowder.application.port.in;

import static java.util.Objects.requireNonNull;

import chowder.domain.ModelApi;
import chowder.domain.ModelApiKey;
import chowder.domain.ModelProviderName;
import chowder.domain.ModelTokens;
import chowder.domain.OrganizationId;
import java.net.URI;
import java.util.Optional;
import java.util.Set;

/**
 * Lets a provisioned gateway's model call through Chowder's model endpoint: the gateway presents the credential
 * Chowder gave it for its instance, never a provider key; Chowder checks budgets, chooses the key and meters the call.
 */
public interface AuthorizeModelCallUseCase {
    /**
     * Throws {@code INVALID_API_KEY} for a credential no running instance holds, {@code PERMISSION_DENIED} when the
     * instance may not use {@code provider}, {@code LIMIT_EXCEEDED} when its organization's budget is spent.
     */
    ModelCallGrant authorize(String credential, ModelProviderName provider);

    /**
     * For which organization, where the call goes, in which format, the models it may name (those the operator offers
     * with the provider), with which key (none for a provider that needs none), and its meter.
     */
    record ModelCallGrant(OrganizationId organization, URI baseUrl, ModelApi api, Set<String> models, Optional<ModelApiKey> key,
            ModelCallMeter meter) {
        public ModelCallGrant {
            requireNonNull(organization, "organization is null");
            requireNonNull(baseUrl, "baseUrl is null");
            requireNonNull(api, "api is null");
            models = Set.copyOf(models);
            requireNonNull(key, "key is null");
            requireNonNull(meter, "meter is null");
        }

        @Override
        public String toString() {
            return "ModelCallGrant[" + baseUrl + " " + api + "]";
        }
    }

    /** Told once per call, when it ended: the tokens the provider reported ({@link ModelTokens#NONE} when none). */
    @FunctionalInterface
    interface ModelCallMeter {
        void finished(ModelTokens tokens);
    }
}
