package chowder.adapter.persistence;

import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** SQL for the api_keys table. */
@RegisterConstructorMapper(ApiKeyDao.ApiKeyRow.class)
interface ApiKeyDao {
    record ApiKeyRow(
            UUID id,
            UUID organizationId,
            String name,
            String kind,
            String keyPrefix,
            String keyHash,
            boolean isActive,
            Instant expiresAt,
            Instant lastUsedAt,
            Instant createdAt) {}

    @SqlUpdate("""
            INSERT INTO api_keys (id, organization_id, name, kind, key_prefix, key_hash, is_active, expires_at, last_used_at, created_at)
            VALUES (:id, :organizationId, :name, :kind, :keyPrefix, :keyHash, :isActive, :expiresAt, :lastUsedAt, :createdAt)
            """)
    void insert(@BindMethods ApiKeyRow row);

    @SqlQuery("""
            SELECT id, organization_id, name, kind, key_prefix, key_hash, is_active, expires_at, last_used_at, created_at
            FROM api_keys WHERE key_hash = :keyHash
            """)
    Optional<ApiKeyRow> findByHash(@Bind("keyHash") String keyHash);
}
