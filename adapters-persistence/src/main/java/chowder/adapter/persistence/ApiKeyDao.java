package chowder.adapter.persistence;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlBatch;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** SQL for the api_keys and api_key_instances tables. */
@RegisterConstructorMapper(ApiKeyDao.ApiKeyRow.class)
@RegisterConstructorMapper(ApiKeyDao.GrantRow.class)
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
            Instant createdAt,
            String sessionIds,
            String sessionPrefix) {}

    /** One instance a key was granted, with its permissions comma-separated. */
    record GrantRow(UUID keyId, UUID instanceId, String permissions) {}

    String COLUMNS = "id, organization_id, name, kind, key_prefix, key_hash, is_active, expires_at, last_used_at, created_at, "
            + "session_ids, session_prefix";

    @SqlUpdate("INSERT INTO api_keys (" + COLUMNS + ") VALUES (:id, :organizationId, :name, :kind, :keyPrefix, :keyHash, "
            + ":isActive, :expiresAt, :lastUsedAt, :createdAt, :sessionIds, :sessionPrefix)")
    void insert(@BindMethods ApiKeyRow row);

    @SqlBatch("INSERT INTO api_key_instances (key_id, instance_id, permissions) VALUES (:keyId, :instanceId, :permissions)")
    void insertGrants(@BindMethods List<GrantRow> grants);

    @SqlQuery("SELECT " + COLUMNS + " FROM api_keys WHERE key_hash = :keyHash")
    Optional<ApiKeyRow> findByHash(@Bind("keyHash") String keyHash);

    @SqlQuery("SELECT " + COLUMNS + " FROM api_keys WHERE id = :id")
    Optional<ApiKeyRow> findById(@Bind("id") UUID id);

    @SqlQuery("SELECT " + COLUMNS + " FROM api_keys WHERE organization_id = :organizationId ORDER BY created_at DESC, id")
    List<ApiKeyRow> listByOrganization(@Bind("organizationId") UUID organizationId);

    @SqlQuery("SELECT key_id, instance_id, permissions FROM api_key_instances WHERE key_id = :keyId")
    List<GrantRow> grantsOf(@Bind("keyId") UUID keyId);

    @SqlQuery("""
            SELECT g.key_id, g.instance_id, g.permissions FROM api_key_instances g
            JOIN api_keys k ON k.id = g.key_id WHERE k.organization_id = :organizationId
            """)
    List<GrantRow> grantsInOrganization(@Bind("organizationId") UUID organizationId);

    @SqlQuery("SELECT COUNT(*) FROM api_keys WHERE organization_id = :organizationId")
    int countByOrganization(@Bind("organizationId") UUID organizationId);

    /** The organization's oldest keys that no request can use at {@code now}: revoked, or expired (as ApiKey.usableAt). */
    @SqlQuery("""
            SELECT id FROM api_keys WHERE organization_id = :organizationId AND (is_active = FALSE OR expires_at <= :now)
            ORDER BY created_at, id LIMIT :most
            """)
    List<UUID> oldestSpent(@Bind("organizationId") UUID organizationId, @Bind("now") Instant now, @Bind("most") int most);

    @SqlBatch("DELETE FROM api_key_instances WHERE key_id = :id")
    void deleteGrants(@Bind("id") List<UUID> ids);

    @SqlBatch("DELETE FROM api_keys WHERE id = :id")
    void delete(@Bind("id") List<UUID> ids);

    @SqlUpdate("UPDATE api_keys SET is_active = FALSE WHERE id = :id")
    int revoke(@Bind("id") UUID id);

    @SqlBatch("UPDATE api_keys SET last_used_at = :lastUsedAt WHERE id = :id AND (last_used_at IS NULL OR last_used_at < :lastUsedAt)")
    void recordLastUsed(@Bind("id") List<UUID> ids, @Bind("lastUsedAt") List<Instant> lastUsed);
}
