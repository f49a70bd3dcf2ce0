package chowder.adapter.persistence;

import static java.util.Objects.requireNonNull;

import chowder.application.port.out.LoadApiKeyPort;
import chowder.domain.ApiKey;
import chowder.domain.ApiKeyHash;
import chowder.domain.ApiKeyId;
import chowder.domain.ApiKeyKind;
import chowder.domain.OrganizationId;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** Reads API keys by hash. */
final class JdbiApiKeyRepository implements LoadApiKeyPort {
    private final Jdbi jdbi;

    JdbiApiKeyRepository(Jdbi jdbi) {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
    }

    @Override
    public Optional<ApiKey> findByHash(ApiKeyHash hash) {
        return jdbi.withExtension(ApiKeyDao.class, dao -> dao.findByHash(hash.hex())).map(JdbiApiKeyRepository::fromRow);
    }

    static ApiKeyDao.ApiKeyRow toRow(ApiKey key) {
        return new ApiKeyDao.ApiKeyRow(key.id().value(), key.organizationId().value(), key.name(), key.kind().name(),
                key.keyPrefix(), key.hash().hex(), key.active(), key.expiresAt().orElse(null), key.lastUsedAt().orElse(null),
                key.createdAt());
    }

    private static ApiKey fromRow(ApiKeyDao.ApiKeyRow row) {
        return new ApiKey(new ApiKeyId(row.id()), new OrganizationId(row.organizationId()), row.name(),
                ApiKeyKind.valueOf(row.kind()), row.keyPrefix(), new ApiKeyHash(row.keyHash()), row.isActive(),
                Optional.ofNullable(row.expiresAt()), Optional.ofNullable(row.lastUsedAt()), row.createdAt());
    }
}
