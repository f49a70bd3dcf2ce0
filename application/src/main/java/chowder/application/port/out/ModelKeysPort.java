package chowder.application.port.out;

import chowder.domain.ModelApiKey;
import chowder.domain.ModelProviderName;
import chowder.domain.OrganizationId;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Organizations' own model provider keys, encrypted at rest under the master key. */
public interface ModelKeysPort {
    /** The providers an organization holds a key for (no key is decrypted). */
    Set<ModelProviderName> providersOf(OrganizationId organization);

    Optional<ModelApiKey> keyOf(OrganizationId organization, ModelProviderName provider);

    /** Sets each key given, and removes each provider mapped to empty, in one transaction. */
    void change(OrganizationId organization, Map<ModelProviderName, Optional<ModelApiKey>> changes);
}
