package chowder.adapter.persistence;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** SQL for model_usage_hours. */
@RegisterConstructorMapper(ModelUsageDao.HourRow.class)
interface ModelUsageDao {
    record HourRow(UUID instanceId, String provider, Instant hourStart, UUID organizationId, long requests, long inputTokens,
            long outputTokens, long cachedInputTokens) {}

    @SqlUpdate("""
            UPDATE model_usage_hours SET requests = requests + :requests, input_tokens = input_tokens + :inputTokens,
                output_tokens = output_tokens + :outputTokens, cached_input_tokens = cached_input_tokens + :cachedInputTokens
            WHERE instance_id = :instanceId AND provider = :provider AND hour_start = :hourStart
            """)
    int add(@BindMethods HourRow row);

    @SqlUpdate("""
            INSERT INTO model_usage_hours (instance_id, provider, hour_start, organization_id, requests, input_tokens, output_tokens,
                cached_input_tokens)
            VALUES (:instanceId, :provider, :hourStart, :organizationId, :requests, :inputTokens, :outputTokens, :cachedInputTokens)
            """)
    void insert(@BindMethods HourRow row);

    @SqlQuery("""
            SELECT instance_id, provider, hour_start, organization_id, requests, input_tokens, output_tokens, cached_input_tokens
            FROM model_usage_hours WHERE instance_id = :instanceId AND hour_start >= :from AND hour_start < :to
            ORDER BY hour_start, provider
            """)
    List<HourRow> hoursOf(@Bind("instanceId") UUID instanceId, @Bind("from") Instant from, @Bind("to") Instant to);
}
