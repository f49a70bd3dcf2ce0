package chowder.application.port.out;

import chowder.domain.ApiKey;
import chowder.domain.ApiKeyHash;
import chowder.domain.ApiKeyId;
import chowder.domain.OrganizationId;
import java.util.List;
import java.util.Optional;

/** Finds stored API keys (with their scope); blocking, never returns null. */
public interface LoadApiKeyPort {
    Optional<ApiKey> findByHash(ApiKeyHash hash);

    Optional<ApiKey> findById(ApiKeyId id);

    /** The organization's keys, revoked ones included, newest first. */
    List<ApiKey> listKeysOf(OrganizationId organizationId);
}
