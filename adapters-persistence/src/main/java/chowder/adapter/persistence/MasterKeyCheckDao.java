package chowder.adapter.persistence;

import java.time.Instant;
import java.util.Optional;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** SQL for the master_key_check table (one row, id 1). */
interface MasterKeyCheckDao {
    @SqlQuery("SELECT check_value FROM master_key_check WHERE id = 1")
    Optional<String> find();

    @SqlUpdate("INSERT INTO master_key_check (id, check_value, updated_at) VALUES (1, :checkValue, :now)")
    void insert(@Bind("checkValue") String checkValue, @Bind("now") Instant now);

    @SqlUpdate("UPDATE master_key_check SET check_value = :checkValue, updated_at = :now WHERE id = 1")
    int update(@Bind("checkValue") String checkValue, @Bind("now") Instant now);
}
