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

/** SQL for the sessions and usage_hours tables. */
@RegisterConstructorMapper(SessionDao.SessionRow.class)
@RegisterConstructorMapper(SessionDao.UsageRow.class)
interface SessionDao {
    record SessionRow(UUID instanceId, String sessionId, long generation, boolean deleted, Instant createdAt, Instant lastUsedAt,
            long turns, long inputTokens, long outputTokens) {}

    record UsageRow(UUID keyId, long turns, long inputTokens, long outputTokens) {}

    String COLUMNS = "instance_id, session_id, generation, deleted, created_at, last_used_at, turns, input_tokens, output_tokens";

    @SqlQuery("SELECT " + COLUMNS + " FROM sessions WHERE instance_id = :instanceId AND session_id = :sessionId")
    Optional<SessionRow> find(@Bind("instanceId") UUID instanceId, @Bind("sessionId") String sessionId);

    @SqlUpdate("INSERT INTO sessions (" + COLUMNS + ") VALUES (:instanceId, :sessionId, :generation, :deleted, :createdAt, "
            + ":lastUsedAt, :turns, :inputTokens, :outputTokens)")
    void insert(@BindMethods SessionRow row);

    /** A reset or delete: only the generation and the deleted flag change; counters flushed meanwhile stay. */
    @SqlUpdate("""
            UPDATE sessions SET generation = :generation, deleted = :deleted
            WHERE instance_id = :instanceId AND session_id = :sessionId AND generation = :expectedGeneration
            """)
    int moveGeneration(@BindMethods SessionRow row, @Bind("expectedGeneration") long expectedGeneration);

    /** A deleted id used again: the record starts over. */
    @SqlUpdate("""
            UPDATE sessions SET deleted = FALSE, created_at = :createdAt, last_used_at = :lastUsedAt,
                turns = :turns, input_tokens = :inputTokens, output_tokens = :outputTokens
            WHERE instance_id = :instanceId AND session_id = :sessionId AND generation = :expectedGeneration AND deleted = TRUE
            """)
    int revive(@BindMethods SessionRow row, @Bind("expectedGeneration") long expectedGeneration);

    @SqlUpdate("""
            UPDATE sessions SET turns = turns + :turns, input_tokens = input_tokens + :inputTokens,
                output_tokens = output_tokens + :outputTokens,
                last_used_at = CASE WHEN last_used_at < :lastUsedAt THEN :lastUsedAt ELSE last_used_at END
            WHERE instance_id = :instanceId AND session_id = :sessionId
            """)
    int addToSession(@Bind("instanceId") UUID instanceId, @Bind("sessionId") String sessionId, @Bind("turns") long turns,
            @Bind("inputTokens") long inputTokens, @Bind("outputTokens") long outputTokens, @Bind("lastUsedAt") Instant lastUsedAt);

    @SqlUpdate("""
            UPDATE usage_hours SET turns = turns + :turns, input_tokens = input_tokens + :inputTokens, output_tokens = output_tokens + :outputTokens
            WHERE instance_id = :instanceId AND key_id = :keyId AND hour_start = :hour
            """)
    int addToHour(@Bind("instanceId") UUID instanceId, @Bind("keyId") UUID keyId, @Bind("hour") Instant hour, @Bind("turns") long turns,
            @Bind("inputTokens") long inputTokens, @Bind("outputTokens") long outputTokens);

    @SqlUpdate("""
            INSERT INTO usage_hours (instance_id, key_id, hour_start, turns, input_tokens, output_tokens)
            VALUES (:instanceId, :keyId, :hour, :turns, :inputTokens, :outputTokens)
            """)
    void insertHour(@Bind("instanceId") UUID instanceId, @Bind("keyId") UUID keyId, @Bind("hour") Instant hour, @Bind("turns") long turns,
            @Bind("inputTokens") long inputTokens, @Bind("outputTokens") long outputTokens);

    /** Keyset conditions shared by the page queries: strictly after the previous page's last session. */
    String AFTER_CURSOR = """
                AND last_used_at <= :afterTime
                AND (last_used_at < :afterTime OR (last_used_at = :afterTime AND session_id > :afterId))
            """;

    String NEWEST_FIRST = "ORDER BY instance_id, last_used_at DESC, session_id LIMIT :limit";

    @SqlQuery("SELECT " + COLUMNS + """
             FROM sessions WHERE instance_id = :instanceId AND deleted = FALSE
                AND session_id LIKE :prefixPattern ESCAPE '!'
            """ + AFTER_CURSOR + NEWEST_FIRST)
    List<SessionRow> page(@Bind("instanceId") UUID instanceId, @Bind("prefixPattern") String prefixPattern,
            @Bind("afterTime") Instant afterTime, @Bind("afterId") String afterId, @Bind("limit") int limit);

    /**
     * The sessions of a key bound to exact ids: one primary-key lookup per id. A join with the ids as a table, because
     * H2 uses an {@code IN} list only on an index's first column; sorted outside it, because with the order inside
     * H2 walked the activity index across every session of the instance instead.
     */
    String OWNED_BY_IDS = "SELECT " + COLUMNS + """
             FROM UNNEST(CAST(:sessionIds AS VARCHAR(1100) ARRAY)) AS wanted (wanted_id)
            JOIN sessions ON instance_id = :instanceId AND session_id = wanted_id
            WHERE deleted = FALSE
            """ + AFTER_CURSOR;

    /** A page of a key bound to exact session ids: at most those sessions are read, then sorted. */
    @SqlQuery("SELECT " + COLUMNS + " FROM (" + OWNED_BY_IDS + """
            ) owned_sessions
            ORDER BY last_used_at DESC, session_id LIMIT :limit
            """)
    List<SessionRow> pageOfIds(@Bind("instanceId") UUID instanceId, @Bind("sessionIds") String[] sessionIds,
            @Bind("afterTime") Instant afterTime, @Bind("afterId") String afterId, @Bind("limit") int limit);

    /**
     * A page of a key bound to a prefix and to exact ids outside it: a page of the prefix's range and the sessions of
     * the ids, merged (the two are disjoint) and cut to a page. An OR of the two conditions is no index condition.
     */
    @SqlQuery("(SELECT " + COLUMNS + """
             FROM sessions WHERE instance_id = :instanceId AND deleted = FALSE
                AND session_id LIKE :prefixPattern ESCAPE '!'
            """ + AFTER_CURSOR + NEWEST_FIRST + ") UNION ALL (" + OWNED_BY_IDS + """
            )
            ORDER BY last_used_at DESC, session_id LIMIT :limit
            """)
    List<SessionRow> pageOfPrefixAndIds(@Bind("instanceId") UUID instanceId, @Bind("prefixPattern") String prefixPattern,
            @Bind("sessionIds") String[] sessionIds, @Bind("afterTime") Instant afterTime, @Bind("afterId") String afterId,
            @Bind("limit") int limit);

    @SqlQuery("""
            SELECT key_id, SUM(turns) AS turns, SUM(input_tokens) AS input_tokens, SUM(output_tokens) AS output_tokens
            FROM usage_hours WHERE instance_id = :instanceId AND hour_start >= :from AND hour_start < :to
            GROUP BY key_id ORDER BY key_id
            """)
    List<UsageRow> usageByKey(@Bind("instanceId") UUID instanceId, @Bind("from") Instant from, @Bind("to") Instant to);
}
