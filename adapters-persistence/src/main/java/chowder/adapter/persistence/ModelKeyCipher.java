package chowder.adapter.persistence;

import chowder.domain.ModelApiKey;
import chowder.domain.ModelProviderName;
import chowder.domain.OrganizationId;
import java.security.SecureRandom;

/**
 * Encrypts an organization's model key with {@link SecretCipher}, bound to its row (organization and provider), so a key
 * copied onto another organization or provider does not decrypt. Failures name the key's owner, never the key.
 */
final class ModelKeyCipher {
    private final SecretCipher cipher;

    ModelKeyCipher(MasterKey key, SecureRandom random) {
        this.cipher = new SecretCipher(key, random);
    }

    String encrypt(OrganizationId organization, ModelProviderName provider, ModelApiKey key) {
        return cipher.encrypt(associatedData(organization, provider), key.value());
    }

    ModelApiKey decrypt(OrganizationId organization, ModelProviderName provider, String stored) {
        return new ModelApiKey(cipher.decrypt(associatedData(organization, provider), stored,
                "the " + provider + " key of organization " + organization));
    }

    // Prefixed, so that it never equals another secret's associated data.
    private static String associatedData(OrganizationId organization, ModelProviderName provider) {
        return "organization_model_key:" + organization + ":" + provider;
    }
}
