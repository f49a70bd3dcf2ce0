package chowder.adapter.persistence;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** SQL for the instances table. */
@RegisterConstructorMapper(InstanceDao.InstanceRow.class)
interface InstanceDao {
    record InstanceRow(
            UUID id,
            UUID organizationId,
            String name,
            String status,
            String gatewayUrl,
            String gatewayTokenEncrypted,
            String sandboxProvider,
            String modelProvider,
            String openclawConfig,
            String region,
            String errorMessage,
            Instant createdAt,
            Instant updatedAt) {}

    String COLUMNS = "id, organization_id, name, status, gateway_url, gateway_token_encrypted, sandbox_provider, model_provider, "
            + "openclaw_config, region, error_message, created_at, updated_at";

    @SqlUpdate("INSERT INTO instances (" + COLUMNS + ") VALUES (:id, :organizationId, :name, :status, :gatewayUrl, "
            + ":gatewayTokenEncrypted, :sandboxProvider, :modelProvider, :openclawConfig, :region, :errorMessage, :createdAt, :updatedAt)")
    void insert(@BindMethods InstanceRow row);

    @SqlUpdate("""
            UPDATE instances SET name = :name, status = :status, gateway_url = :gatewayUrl,
                gateway_token_encrypted = :gatewayTokenEncrypted, model_provider = :modelProvider,
                openclaw_config = :openclawConfig, region = :region, error_message = :errorMessage, updated_at = :updatedAt
            WHERE id = :id AND status = :expectedStatus AND updated_at = :expectedUpdatedAt
            """)
    int updateIfUnchanged(@BindMethods InstanceRow row, @Bind("expectedStatus") String expectedStatus,
            @Bind("expectedUpdatedAt") Instant expectedUpdatedAt);

    /**
     * Serialises the writers of one instance's settings (skills, channels) until they commit, so that update-then-insert
     * cannot race; a deleted instance is not found, so that no secret is saved after its settings were deleted.
     */
    @SqlQuery("SELECT id FROM instances WHERE id = :instanceId AND status <> 'terminated' FOR UPDATE")
    Optional<UUID> lockLiveInstance(@Bind("instanceId") UUID instanceId);

    @SqlQuery("SELECT COUNT(*) FROM instances WHERE organization_id = :organizationId AND status <> 'terminated'")
    int countNotTerminated(@Bind("organizationId") UUID organizationId);

    /**
     * The organization's instances deleted before {@code deletedBefore} that never served a turn (a session is stored
     * before a turn's first byte goes out) nor made a model call.
     */
    @SqlQuery("""
            SELECT id FROM instances i WHERE organization_id = :organizationId AND status = 'terminated'
                AND updated_at < :deletedBefore
                AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.instance_id = i.id)
                AND NOT EXISTS (SELECT 1 FROM model_usage_hours m WHERE m.instance_id = i.id)
            """)
    List<UUID> deletedAndNeverUsed(@Bind("organizationId") UUID organizationId, @Bind("deletedBefore") Instant deletedBefore);

    @SqlQuery("SELECT " + COLUMNS + " FROM instances WHERE id = :id")
    Optional<InstanceRow> findById(@Bind("id") UUID id);

    @SqlQuery("SELECT " + COLUMNS + " FROM instances WHERE organization_id = :organizationId ORDER BY created_at DESC, id")
    List<InstanceRow> listByOrganization(@Bind("organizationId") UUID organizationId);

    @SqlQuery("SELECT " + COLUMNS + " FROM instances ORDER BY created_at DESC, id")
    List<InstanceRow> listAll();

    @SqlQuery("SELECT " + COLUMNS + " FROM instances WHERE status IN ('provisioning', 'running', 'error')")
    List<InstanceRow> listProbed();

    @SqlQuery("SELECT id, gateway_token_encrypted FROM instances")
    @RegisterConstructorMapper(EncryptedToken.class)
    List<EncryptedToken> listEncryptedTokens();

    /** One stored token, to tell which master key a database's tokens are under. */
    @SqlQuery("SELECT id, gateway_token_encrypted FROM instances ORDER BY id LIMIT 1")
    @RegisterConstructorMapper(EncryptedToken.class)
    Optional<EncryptedToken> anyEncryptedToken();

    @SqlUpdate("UPDATE instances SET gateway_token_encrypted = :encrypted WHERE id = :id")
    void updateEncryptedToken(@Bind("id") UUID id, @Bind("encrypted") String encrypted);

    record EncryptedToken(UUID id, String gatewayTokenEncrypted) {}
}
