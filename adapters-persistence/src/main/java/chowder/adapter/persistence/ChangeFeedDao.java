package chowder.adapter.persistence;

import java.util.List;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** The change log and the nodes that follow it (see V6__store_changes.sql). Portable SQL for H2 and PostgreSQL. */
@RegisterConstructorMapper(ChangeFeedDao.ChangeRow.class)
interface ChangeFeedDao {
    /** Takes the counter row's lock until commit: publishers are serialised, so ids commit in order. */
    @SqlUpdate("UPDATE store_change_counter SET last_id = last_id + 1 WHERE singleton = 1")
    void advanceCounter();

    @SqlQuery("SELECT last_id FROM store_change_counter WHERE singleton = 1")
    long lastChangeId();

    @SqlUpdate("INSERT INTO store_changes (id, kind, subject, created_at) VALUES (:id, :kind, :subject, CURRENT_TIMESTAMP)")
    void insertChange(@Bind("id") long id, @Bind("kind") String kind, @Bind("subject") String subject);

    @SqlQuery("SELECT id, kind, subject FROM store_changes WHERE id > :after ORDER BY id LIMIT :limit")
    List<ChangeRow> changesAfter(@Bind("after") long after, @Bind("limit") int limit);

    @SqlUpdate("UPDATE store_nodes SET applied_change = :applied, seen_at = CURRENT_TIMESTAMP WHERE node_id = :node")
    int acknowledge(@Bind("node") String node, @Bind("applied") long applied);

    @SqlUpdate("INSERT INTO store_nodes (node_id, applied_change, seen_at) VALUES (:node, :applied, CURRENT_TIMESTAMP)")
    void register(@Bind("node") String node, @Bind("applied") long applied);

    @SqlUpdate("DELETE FROM store_nodes WHERE node_id = :node")
    void deregister(@Bind("node") String node);

    /** Live nodes (a heartbeat within the last five seconds) that have not applied the change yet. */
    @SqlQuery("SELECT COUNT(*) FROM store_nodes WHERE applied_change < :change AND seen_at > CURRENT_TIMESTAMP - INTERVAL '5' SECOND")
    int liveNodesBehind(@Bind("change") long change);

    @SqlUpdate("DELETE FROM store_changes WHERE created_at < CURRENT_TIMESTAMP - INTERVAL '1' HOUR")
    int pruneChanges();

    @SqlUpdate("DELETE FROM store_nodes WHERE seen_at < CURRENT_TIMESTAMP - INTERVAL '1' HOUR")
    int pruneNodes();

    record ChangeRow(long id, String kind, String subject) {}
}
