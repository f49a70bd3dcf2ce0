package chowder.application.port.in;

import chowder.domain.Caller;
import chowder.domain.OrganizationId;
import chowder.domain.OrganizationPlan;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The operator's work on organizations, over HTTP (the admin API) or at the command line: create, list, show, rename,
 * suspend and resume them, issue organization keys, set their plans and read their usage. Every method takes the
 * operator acting for all organizations ({@link Caller#allOrganizations()}) and refuses anyone else; an organization
 * that does not exist is {@code NOT_FOUND}.
 */
public interface AdministerOrganizationsUseCase {
    /** Every organization, suspended ones included, oldest first. */
    List<OrganizationDetails> list(Caller operator);

    /** A new organization with a first organization key (its raw value seen only here). */
    NewOrganization create(Caller operator, String name);

    OrganizationDetails get(Caller operator, OrganizationId organization);

    /**
     * Renames and suspends or resumes, each only when given. A suspension refuses the organization's keys and its gateways'
     * model calls on every node from their next request; its instances keep running. Resuming restores everything.
     */
    OrganizationDetails update(Caller operator, OrganizationId organization, Optional<String> name, Optional<Boolean> suspended);

    /** A new organization key of the organization, named {@code name}. */
    NewApiKey issueKey(Caller operator, OrganizationId organization, String name);

    OrganizationPlan plan(Caller operator, OrganizationId organization);

    /**
     * Applies the change to the organization's plan (what it leaves out stays) and returns the plan stored. {@code change}
     * is called once the organization is found, so an unknown one is {@code NOT_FOUND} whatever the change would have been
     * (the admin API reads its request body only then).
     */
    OrganizationPlan changePlan(Caller operator, OrganizationId organization, Supplier<PlanChange> change);

    /**
     * The organization's turns and tokens from {@code from} to {@code to} (missing ends: up to now, {@link UsageWindow#DEFAULT_LENGTH}
     * back), in total and per instance (deleted instances only when they have turns in the window).
     */
    OrganizationUsage usage(Caller operator, OrganizationId organization, Optional<Instant> from, Optional<Instant> to);
}
