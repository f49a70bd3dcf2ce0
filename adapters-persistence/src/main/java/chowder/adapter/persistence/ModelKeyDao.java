package chowder.adapter.persistence;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** SQL for the organization_model_keys table. */
@RegisterConstructorMapper(ModelKeyDao.ModelKeyRow.class)
interface ModelKeyDao {
    record ModelKeyRow(UUID organizationId, String provider, String keyEncrypted) {}

    @SqlQuery("SELECT organization_id, provider, key_encrypted FROM organization_model_keys WHERE organization_id = :organizationId")
    List<ModelKeyRow> keysOf(@Bind("organizationId") UUID organizationId);

    @SqlQuery("SELECT organization_id, provider, key_encrypted FROM organization_model_keys")
    List<ModelKeyRow> listAll();

    @SqlUpdate("""
            UPDATE organization_model_keys SET key_encrypted = :keyEncrypted, updated_at = :updatedAt
            WHERE organization_id = :organizationId AND provider = :provider
            """)
    int update(@Bind("organizationId") UUID organizationId, @Bind("provider") String provider, @Bind("keyEncrypted") String keyEncrypted,
            @Bind("updatedAt") Instant updatedAt);

    @SqlUpdate("""
            INSERT INTO organization_model_keys (organization_id, provider, key_encrypted, updated_at)
            VALUES (:organizationId, :provider, :keyEncrypted, :updatedAt)
            """)
    void insert(@Bind("organizationId") UUID organizationId, @Bind("provider") String provider, @Bind("keyEncrypted") String keyEncrypted,
            @Bind("updatedAt") Instant updatedAt);

    @SqlUpdate("DELETE FROM organization_model_keys WHERE organization_id = :organizationId AND provider = :provider")
    void delete(@Bind("organizationId") UUID organizationId, @Bind("provider") String provider);
}
