package chowder.application.port.in;

import static java.util.Objects.requireNonNull;

import chowder.domain.OrganizationPlan;
import chowder.domain.UsageLimits;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * A change to an organization's plan: each field is left as it is when absent (the outer {@code Optional}); a present
 * empty value is "none" for a limit and "the operator's default" for the instance limit and the use of the operator's
 * model keys.
 */
public record PlanChange(Optional<String> tier, Optional<OptionalInt> instanceLimit, Optional<OptionalLong> tokensPerDay,
        Optional<OptionalLong> tokensPerMonth, Optional<OptionalLong> requestsPerMinute, Optional<Optional<Boolean>> operatorModelKeys) {
    public static final PlanChange NONE = new PlanChange(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
            Optional.empty(), Optional.empty());

    public PlanChange {
        requireNonNull(tier, "tier is null");
        requireNonNull(instanceLimit, "instanceLimit is null");
        requireNonNull(tokensPerDay, "tokensPerDay is null");
        requireNonNull(tokensPerMonth, "tokensPerMonth is null");
        requireNonNull(requestsPerMinute, "requestsPerMinute is null");
        requireNonNull(operatorModelKeys, "operatorModelKeys is null");
    }

    /** {@code plan} with this change made (validated as any plan is). */
    public OrganizationPlan applyTo(OrganizationPlan plan) {
        UsageLimits limits = plan.limits();
        return new OrganizationPlan(tier.orElse(plan.tier()), instanceLimit.orElse(plan.instanceLimit()),
                new UsageLimits(tokensPerDay.orElse(limits.tokensPerDay()), tokensPerMonth.orElse(limits.tokensPerMonth()),
                        requestsPerMinute.orElse(limits.requestsPerMinute())),
                operatorModelKeys.orElse(plan.operatorModelKeys()));
    }
}
