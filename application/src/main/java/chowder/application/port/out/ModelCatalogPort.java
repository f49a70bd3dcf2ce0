package chowder.application.port.out;

import static java.util.Objects.requireNonNull;

import chowder.domain.ModelApi;
import chowder.domain.ModelApiKey;
import chowder.domain.ModelProviderName;
import java.net.URI;
import java.util.Optional;
import java.util.Set;

/**
 * The model providers this Chowder knows: the operator's ({@code CHOWDER_MODEL_PROVIDERS}) and the hosted API's
 * three, for which organizations bring their own keys.
 */
public interface ModelCatalogPort {
    Optional<ModelEndpoint> endpoint(ModelProviderName name);

    /** Every provider an instance may name. */
    Set<ModelProviderName> names();

    /** The provider of an instance created without {@code model_provider}. */
    ModelProviderName defaultProvider();

    /**
     * Where a provider's API lives, in which format, and the models instances may use there; {@code operatorKey} is the
     * operator's own key for it, {@code operatorConfigured} whether the operator offers it (a provider the operator
     * configured without a key, such as a local vLLM, needs none), and {@code organizationKeys} whether organizations may
     * bring their own key for it (the hosted API's three; one of the operator's only when the operator says so: a key an
     * organization makes up must not buy it the operator's own endpoint).
     */
    record ModelEndpoint(ModelProviderName name, URI baseUrl, ModelApi api, Set<String> models, Optional<ModelApiKey> operatorKey,
            boolean operatorConfigured, boolean organizationKeys) {
        public ModelEndpoint {
            requireNonNull(name, "name is null");
            requireNonNull(baseUrl, "baseUrl is null");
            requireNonNull(api, "api is null");
            models = Set.copyOf(models);
            requireNonNull(operatorKey, "operatorKey is null");
        }

        @Override
        public String toString() {
            return "ModelEndpoint[" + name + " " + baseUrl + " " + api + "]";
        }
    }
}
