package chowder.application.port.in;

import chowder.domain.ApiKeyId;
import chowder.domain.Caller;
import chowder.domain.InstanceId;
import chowder.domain.OrganizationId;
import chowder.domain.OrganizationPlan;
import chowder.domain.SessionLimits;
import chowder.domain.UsageLimits;

/**
 * Budgets and rate limits: an organization sets them for its keys and for the sessions of its instances (an extension
 * of the hosted API); the operator sets each organization's plan.
 */
public interface ManageLimitsUseCase {
    UsageLimits keyLimits(Caller caller, ApiKeyId key);

    /** Organization keys only. */
    UsageLimits setKeyLimits(Caller caller, ApiKeyId key, UsageLimits limits);

    /** An organization key, or a scoped key with {@code configure} on the instance. */
    SessionLimits sessionLimits(Caller caller, InstanceId instance);

    SessionLimits setSessionLimits(Caller caller, InstanceId instance, SessionLimits limits);

    /** The operator only. */
    OrganizationPlan plan(Caller operator, OrganizationId organization);

    /** The operator only; throws {@code NOT_FOUND} for an organization that does not exist. */
    OrganizationPlan setPlan(Caller operator, OrganizationId organization, OrganizationPlan plan);
}
