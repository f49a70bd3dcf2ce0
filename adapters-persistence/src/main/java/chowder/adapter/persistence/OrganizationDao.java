package chowder.adapter.persistence;

import java.time.Instant;
import java.util.UUID;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** SQL for the organizations table. */
interface OrganizationDao {
    record OrganizationRow(UUID id, String name, Instant createdAt, Instant updatedAt) {}

    @SqlUpdate("""
            INSERT INTO organizations (id, name, created_at, updated_at)
            VALUES (:id, :name, :createdAt, :updatedAt)
            """)
    void insert(@BindMethods OrganizationRow row);
}
