package chowder.domain;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * What the operator sets for one organization: its tier (a label, shown as {@code subscription_tier}), how many
 * instances it may have (empty: the operator's default for every organization), its budgets, and whether its
 * instances may use the operator's own model keys (empty: the operator's default).
 */
public record OrganizationPlan(String tier, OptionalInt instanceLimit, UsageLimits limits, Optional<Boolean> operatorModelKeys) {
    public static final String DEFAULT_TIER = "self-hosted";
    public static final OrganizationPlan DEFAULT = new OrganizationPlan(DEFAULT_TIER, OptionalInt.empty(), UsageLimits.NONE, Optional.empty());

    public OrganizationPlan {
        requireNonNull(tier, "tier is null");
        requireNonNull(instanceLimit, "instanceLimit is null");
        requireNonNull(limits, "limits is null");
        requireNonNull(operatorModelKeys, "operatorModelKeys is null");
        if (tier.isBlank() || tier.length() > 64 || tier.chars().anyMatch(Character::isISOControl)) {
            throw ChowderException.validationFailed("a tier is 1 to 64 characters without control characters.");
        }
        if (instanceLimit.isPresent() && instanceLimit.getAsInt() < 0) {
            throw ChowderException.validationFailed("an instance limit is never negative.");
        }
    }

    /** The instances this organization may have: its own limit, else {@code defaultLimit}; 0 is unlimited. */
    public int effectiveInstanceLimit(int defaultLimit) {
        return instanceLimit.orElse(defaultLimit);
    }
}
