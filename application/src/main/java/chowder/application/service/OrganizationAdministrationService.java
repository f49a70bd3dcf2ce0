package chowder.application.service;

import static java.util.Objects.requireNonNull;

import chowder.application.port.UsageReport;
import chowder.application.port.in.AdministerOrganizationsUseCase;
import chowder.application.port.in.CreateApiKeyCommand;
import chowder.application.port.in.ManageApiKeysUseCase;
import chowder.application.port.in.ManageLimitsUseCase;
import chowder.application.port.in.NewApiKey;
import chowder.application.port.in.NewOrganization;
import chowder.application.port.in.OrganizationDetails;
import chowder.application.port.in.OrganizationUsage;
import chowder.application.port.in.OrganizationUsage.InstanceUsage;
import chowder.application.port.in.PlanChange;
import chowder.application.port.in.UsageWindow;
import chowder.application.port.out.LoadInstancePort;
import chowder.application.port.out.SaveOrganizationPort;
import chowder.application.port.out.SessionStorePort;
import chowder.domain.ApiKeyKind;
import chowder.domain.Caller;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.Instance;
import chowder.domain.InstanceStatus;
import chowder.domain.Organization;
import chowder.domain.OrganizationId;
import chowder.domain.OrganizationPlan;
import chowder.domain.TokenUsage;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/** The operator's administration of organizations, built on the services each part belongs to (keys, plans, sessions' usage). */
public final class OrganizationAdministrationService implements AdministerOrganizationsUseCase {

    private final OrganizationService organizations;
    private final SaveOrganizationPort saveOrganizations;
    private final ManageApiKeysUseCase keys;
    private final ManageLimitsUseCase limits;
    private final LoadInstancePort instances;
    private final SessionStorePort sessions;
    private final SessionRegistry registry;
    private final Clock clock;

    public OrganizationAdministrationService(OrganizationService organizations, SaveOrganizationPort saveOrganizations, ManageApiKeysUseCase keys, ManageLimitsUseCase limits, LoadInstancePort instances,
            SessionStorePort sessions, SessionRegistry registry, Clock clock) {
        this.organizations = requireNonNull(organizations, "organizations is null");
        this.saveOrganizations = requireNonNull(saveOrganizations, "saveOrganizations is null");
        this.keys = requireNonNull(keys, "keys is null");
        this.limits = requireNonNull(limits, "limits is null");
        this.instances = requireNonNull(instances, "instances is null");
        this.sessions = requireNonNull(sessions, "sessions is null");
        this.registry = requireNonNull(registry, "registry is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    @Override
    public List<OrganizationDetails> list(Caller operator) {
        return organizations.listAll(requireOperator(operator)).stream().map(organizations::details).toList();
    }

    @Override
    public NewOrganization create(Caller operator, String name) {
        requireOperator(operator);
        return organizations.create(name);
    }

    @Override
    public OrganizationDetails get(Caller operator, OrganizationId organization) {
        return organizations.details(existing(operator, organization));
    }

    @Override
    public OrganizationDetails update(Caller operator, OrganizationId organization, Optional<String> name, Optional<Boolean> suspended) {
        Organization current = existing(operator, organization);
        Instant now = clock.instant();
        // The name is checked before anything is written: a bad one changes nothing.
        Organization renamed = name.map(newName -> current.rename(newName, now)).orElse(current);
        Organization updated = suspended.map(suspend -> renamed.suspended(suspend, now)).orElse(renamed);
        if (renamed != current) {
            saveOrganizations.update(updated);
        }
        if (updated.suspended() != current.suspended()) {
            saveOrganizations.updateSuspension(updated);
        }
        return organizations.details(updated);
    }

    @Override
    public NewApiKey issueKey(Caller operator, OrganizationId organization, String name) {
        existing(operator, organization);
        return keys.create(new CreateApiKeyCommand(Caller.operatorFor(organization), ApiKeyKind.ORGANIZATION, name, List.of(), List.of(),
                Optional.empty(), List.of(), Optional.empty()));
    }

    @Override
    public OrganizationPlan plan(Caller operator, OrganizationId organization) {
        return limits.plan(requireOperator(operator), organization);
    }

    @Override
    public OrganizationPlan changePlan(Caller operator, OrganizationId organization, Supplier<PlanChange> change) {
        OrganizationPlan current = limits.plan(requireOperator(operator), organization);
        return limits.setPlan(operator, organization, change.get().applyTo(current));
    }

    @Override
    public OrganizationUsage usage(Caller operator, OrganizationId organization, Optional<Instant> from, Optional<Instant> to) {
        existing(operator, organization);
        UsageWindow window = UsageWindow.requested(from, to, clock).requireNotEmpty();
        registry.flushBeforeRead();
        long turns = 0;
        TokenUsage total = TokenUsage.NONE;
        List<InstanceUsage> byInstance = new ArrayList<>();
        for (Instance instance : instances.listByOrganization(organization)) {
            UsageReport report = sessions.usage(instance.id(), window.from(), window.to());
            if (instance.status() == InstanceStatus.TERMINATED && report.turns() == 0) {
                continue;
            }
            turns += report.turns();
            total = total.plus(report.usage());
            byInstance.add(new InstanceUsage(instance.id(), instance.name(), report.turns(), report.usage()));
        }
        return new OrganizationUsage(organization, window, turns, total, byInstance);
    }

    /** The organization, once the caller is known to be the operator. */
    private Organization existing(Caller operator, OrganizationId id) {
        requireOperator(operator);
        return organizations.find(id);
    }

    private static Caller requireOperator(Caller caller) {
        if (!caller.actsForAllOrganizations()) {
            throw new ChowderException(ErrorCode.PERMISSION_DENIED, "Only the operator administers organizations.");
        }
        return caller;
    }
}
