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
            String errorMessage,
            Instant createdAt,
            Instant updatedAt) {}

    String COLUMNS = "id, organization_id, name, status, gateway_url, gateway_token_encrypted, error_message, created_at, updated_at";

    @SqlUpdate("INSERT INTO instances (" + COLUMNS + ") VALUES "
            + "(:id, :organizationId, :name, :status, :gatewayUrl, :gatewayTokenEncrypted, :errorMessage, :createdAt, :updatedAt)")
    void insert(@BindMethods InstanceRow row);

    @SqlQuery("SELECT " + COLUMNS + " FROM instances WHERE id = :id")
    Optional<InstanceRow> findById(@Bind("id") UUID id);

    @SqlQuery("SELECT " + COLUMNS + " FROM instances WHERE organization_id = :organizationId ORDER BY created_at DESC, id")
    List<InstanceRow> listByOrganization(@Bind("organizationId") UUID organizationId);
}
