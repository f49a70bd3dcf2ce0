package chowder.application.port.in;

import static java.util.Objects.requireNonNull;

import chowder.domain.ModelProviderName;
import chowder.domain.Organization;
import chowder.domain.OrganizationPlan;
import java.util.OptionalInt;
import java.util.Set;

/**
 * An organization as the hosted API shows it: the providers it holds a key for, its tier, how many instances it may
 * have (empty: unlimited) and has, and (an extension) the budgets the operator gave it.
 */
public record OrganizationDetails(Organization organization, Set<ModelProviderName> modelProviders, OrganizationPlan plan,
        OptionalInt instanceLimit, int instanceCount) {
    public OrganizationDetails {
        requireNonNull(organization, "organization is null");
        modelProviders = Set.copyOf(modelProviders);
        requireNonNull(plan, "plan is null");
        requireNonNull(instanceLimit, "instanceLimit is null");
    }
}
