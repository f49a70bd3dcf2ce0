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

/** SQL for the organizations table. */
@RegisterConstructorMapper(OrganizationDao.OrganizationRow.class)
interface OrganizationDao {
    /** {@code suspendedAt} is null while the organization is not suspended. */
    record OrganizationRow(UUID id, String name, Instant createdAt, Instant updatedAt, Instant suspendedAt) {}

    @SqlUpdate("""
            INSERT INTO organizations (id, name, created_at, updated_at, suspended_at)
            VALUES (:id, :name, :createdAt, :updatedAt, :suspendedAt)
            """)
    void insert(@BindMethods OrganizationRow row);

    @SqlUpdate("UPDATE organizations SET name = :name, updated_at = :updatedAt WHERE id = :id")
    int update(@BindMethods OrganizationRow row);

    @SqlUpdate("UPDATE organizations SET suspended_at = :suspendedAt, updated_at = :updatedAt WHERE id = :id")
    int updateSuspension(@BindMethods OrganizationRow row);

    /**
     * Serialises the writers of one organization's rows of other tables until they commit: counts that bound an insert,
     * and update-then-insert (H2 and PostgreSQL share no upsert), cannot race.
     */
    @SqlQuery("SELECT id FROM organizations WHERE id = :organizationId FOR UPDATE")
    Optional<UUID> lock(@Bind("organizationId") UUID organizationId);

    @SqlQuery("SELECT id, name, created_at, updated_at, suspended_at FROM organizations WHERE id = :id")
    Optional<OrganizationRow> findById(@Bind("id") UUID id);

    @SqlQuery("SELECT id, name, created_at, updated_at, suspended_at FROM organizations ORDER BY created_at, id")
    List<OrganizationRow> listAll();
}
