package chowder.application.port.out;

import chowder.domain.ApiKey;
import chowder.domain.ApiKeyHash;
import java.util.Optional;

/** Finds stored API keys by the hash of the raw key; blocking, never returns null. */
public interface LoadApiKeyPort {
    Optional<ApiKey> findByHash(ApiKeyHash hash);
}
