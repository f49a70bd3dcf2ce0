package chowder.application.port.out;

import static java.util.Objects.requireNonNull;

import chowder.domain.ApiKeyId;
import chowder.domain.InstanceId;
import chowder.domain.OrganizationId;
import chowder.domain.OrganizationPlan;
import chowder.domain.SessionLimits;
import chowder.domain.UsageLimits;

/**
 * What the operator set for each organization (its plan) and what organizations set for their keys and sessions.
 * Reads are on the forwarding path: implementations cache them coherently across nodes.
 */
public interface LimitSettingsPort {
    Versioned<OrganizationPlan> planOf(OrganizationId organization);

    void savePlan(OrganizationId organization, OrganizationPlan plan);

    Versioned<UsageLimits> limitsOfKey(ApiKeyId key);

    /** Throws {@link ApiKeyId#notFound()} when the key is gone (a spent key makes room for a new one). */
    void saveKeyLimits(OrganizationId organization, ApiKeyId key, UsageLimits limits);

    Versioned<SessionLimits> sessionLimitsOf(InstanceId instance);

    void saveSessionLimits(OrganizationId organization, InstanceId instance, SessionLimits limits);

    /** Every organization on the default plan, nothing limited, nothing stored (a Chowder that only registers gateways, in tests). */
    LimitSettingsPort DEFAULTS = new LimitSettingsPort() {
        @Override
        public Versioned<OrganizationPlan> planOf(OrganizationId organization) {
            return new Versioned<>(OrganizationPlan.DEFAULT, 0);
        }

        @Override
        public void savePlan(OrganizationId organization, OrganizationPlan plan) {
            throw new UnsupportedOperationException("plans are not stored here");
        }

        @Override
        public Versioned<UsageLimits> limitsOfKey(ApiKeyId key) {
            return new Versioned<>(UsageLimits.NONE, 0);
        }

        @Override
        public void saveKeyLimits(OrganizationId organization, ApiKeyId key, UsageLimits limits) {
            throw new UnsupportedOperationException("limits are not stored here");
        }

        @Override
        public Versioned<SessionLimits> sessionLimitsOf(InstanceId instance) {
            return new Versioned<>(SessionLimits.NONE, 0);
        }

        @Override
        public void saveSessionLimits(OrganizationId organization, InstanceId instance, SessionLimits limits) {
            throw new UnsupportedOperationException("limits are not stored here");
        }
    };

    /**
     * A setting and when it last changed (milliseconds, increasing with each change): counters kept with an older
     * setting take the new one when they see a newer version.
     */
    record Versioned<T>(T value, long version) {
        public Versioned {
            requireNonNull(value, "value is null");
        }
    }
}
