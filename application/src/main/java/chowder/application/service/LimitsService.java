package chowder.application.service;

import static java.util.Objects.requireNonNull;

import chowder.application.port.in.ManageApiKeysUseCase;
import chowder.application.port.in.ManageLimitsUseCase;
import chowder.application.port.out.LimitSettingsPort;
import chowder.application.port.out.LoadInstancePort;
import chowder.application.port.out.LoadOrganizationPort;
import chowder.domain.ApiKey;
import chowder.domain.ApiKeyId;
import chowder.domain.Caller;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.Instance;
import chowder.domain.InstanceId;
import chowder.domain.OrganizationId;
import chowder.domain.OrganizationPlan;
import chowder.domain.Permission;
import chowder.domain.SessionLimits;
import chowder.domain.UsageLimits;

/** Stores the limits of keys and sessions (set by their organization) and organizations' plans (set by the operator). */
public final class LimitsService implements ManageLimitsUseCase {
    private final LimitSettingsPort settings;
    private final ManageApiKeysUseCase keys;
    private final LoadInstancePort instances;
    private final LoadOrganizationPort organizations;

    public LimitsService(LimitSettingsPort settings, ManageApiKeysUseCase keys, LoadInstancePort instances, LoadOrganizationPort organizations) {
        this.settings = requireNonNull(settings, "settings is null");
        this.keys = requireNonNull(keys, "keys is null");
        this.instances = requireNonNull(instances, "instances is null");
        this.organizations = requireNonNull(organizations, "organizations is null");
    }

    @Override
    public UsageLimits keyLimits(Caller caller, ApiKeyId key) {
        return settings.limitsOfKey(keys.get(caller, key).id()).value();
    }

    @Override
    public UsageLimits setKeyLimits(Caller caller, ApiKeyId key, UsageLimits limits) {
        // Another organization's key is not found; a scoped key may not change limits (its own least of all).
        ApiKey found = keys.get(caller, key);
        settings.saveKeyLimits(found.organizationId(), found.id(), limits);
        return limits;
    }

    @Override
    public SessionLimits sessionLimits(Caller caller, InstanceId instance) {
        return settings.sessionLimitsOf(visible(caller, instance).id()).value();
    }

    @Override
    public SessionLimits setSessionLimits(Caller caller, InstanceId instance, SessionLimits limits) {
        Instance found = visible(caller, instance);
        settings.saveSessionLimits(found.organizationId(), found.id(), limits);
        return limits;
    }

    @Override
    public OrganizationPlan plan(Caller operator, OrganizationId organization) {
        requireOperator(operator, organization);
        return settings.planOf(organization).value();
    }

    @Override
    public OrganizationPlan setPlan(Caller operator, OrganizationId organization, OrganizationPlan plan) {
        requireOperator(operator, organization);
        settings.savePlan(organization, plan);
        return plan;
    }

    /** A key bound to sessions may not set its sessions' limits: it would lift its own. */
    private Instance visible(Caller caller, InstanceId instance) {
        Instance found = VisibleInstances.find(instances, caller, instance, Permission.CONFIGURE);
        if (caller.scope().sessionBound()) {
            throw new ChowderException(ErrorCode.PERMISSION_DENIED, "A key bound to sessions cannot read or set session limits.");
        }
        return found;
    }

    private void requireOperator(Caller operator, OrganizationId organization) {
        if (!operator.isOperator()) {
            throw new ChowderException(ErrorCode.PERMISSION_DENIED, "Only the operator sets an organization's plan.");
        }
        if (organizations.findById(organization).isEmpty()) {
            throw new ChowderException(ErrorCode.NOT_FOUND, "Organization " + organization + " not found.");
        }
    }
}
