package chowder.adapter.persistence;

import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** SQL for organization_plans, key_limits and session_limits. NULL columns are "not set". */
@RegisterConstructorMapper(LimitSettingsDao.PlanRow.class)
@RegisterConstructorMapper(LimitSettingsDao.KeyLimitsRow.class)
@RegisterConstructorMapper(LimitSettingsDao.SessionLimitRow.class)
interface LimitSettingsDao {
    record PlanRow(UUID organizationId, String subscriptionTier, Integer instanceLimit, Boolean operatorModelKeys, Long tokensPerDay,
            Long tokensPerMonth, Long requestsPerMinute, long version) {}

    record KeyLimitsRow(UUID keyId, UUID organizationId, Long tokensPerDay, Long tokensPerMonth, Long requestsPerMinute, long version) {}

    record SessionLimitRow(UUID instanceId, String sessionPrefix, UUID organizationId, Long tokensPerDay, Long tokensPerMonth,
            Long requestsPerMinute, long version) {}

    String LIMITS = "tokens_per_day, tokens_per_month, requests_per_minute, version";

    @SqlQuery("SELECT organization_id, subscription_tier, instance_limit, operator_model_keys, " + LIMITS
            + " FROM organization_plans WHERE organization_id = :organizationId")
    Optional<PlanRow> plan(@Bind("organizationId") UUID organizationId);

    @SqlUpdate("""
            UPDATE organization_plans SET subscription_tier = :subscriptionTier, instance_limit = :instanceLimit,
                operator_model_keys = :operatorModelKeys, tokens_per_day = :tokensPerDay, tokens_per_month = :tokensPerMonth,
                requests_per_minute = :requestsPerMinute, version = :version
            WHERE organization_id = :organizationId
            """)
    int updatePlan(@BindMethods PlanRow row);

    @SqlUpdate("INSERT INTO organization_plans (organization_id, subscription_tier, instance_limit, operator_model_keys, " + LIMITS + """
            ) VALUES (:organizationId, :subscriptionTier, :instanceLimit, :operatorModelKeys, :tokensPerDay, :tokensPerMonth,
                :requestsPerMinute, :version)
            """)
    void insertPlan(@BindMethods PlanRow row);

    @SqlQuery("SELECT key_id, organization_id, " + LIMITS + " FROM key_limits WHERE key_id = :keyId")
    Optional<KeyLimitsRow> keyLimits(@Bind("keyId") UUID keyId);

    @SqlUpdate("DELETE FROM key_limits WHERE key_id = :keyId")
    void deleteKeyLimits(@Bind("keyId") UUID keyId);

    @SqlUpdate("INSERT INTO key_limits (key_id, organization_id, " + LIMITS + """
            ) VALUES (:keyId, :organizationId, :tokensPerDay, :tokensPerMonth, :requestsPerMinute, :version)
            """)
    void insertKeyLimits(@BindMethods KeyLimitsRow row);

    @SqlQuery("SELECT instance_id, session_prefix, organization_id, " + LIMITS
            + " FROM session_limits WHERE instance_id = :instanceId ORDER BY session_prefix")
    List<SessionLimitRow> sessionLimits(@Bind("instanceId") UUID instanceId);

    @SqlUpdate("DELETE FROM session_limits WHERE instance_id = :instanceId")
    void deleteSessionLimits(@Bind("instanceId") UUID instanceId);

    @SqlUpdate("INSERT INTO session_limits (instance_id, session_prefix, organization_id, " + LIMITS + """
            ) VALUES (:instanceId, :sessionPrefix, :organizationId, :tokensPerDay, :tokensPerMonth, :requestsPerMinute, :version)
            """)
    void insertSessionLimit(@BindMethods SessionLimitRow row);
}
