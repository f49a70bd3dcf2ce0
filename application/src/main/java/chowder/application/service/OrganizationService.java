package chowder.application.service;

import static java.util.Objects.requireNonNull;

import chowder.application.port.in.CreateOrganizationUseCase;
import chowder.application.port.in.ManageOrganizationUseCase;
import chowder.application.port.in.NewOrganization;
import chowder.application.port.out.LoadOrganizationPort;
import chowder.application.port.out.SaveOrganizationPort;
import chowder.domain.ApiKey;
import chowder.domain.ApiKeyKind;
import chowder.domain.ApiKeySecret;
import chowder.domain.Caller;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.Organization;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

/** Creates organizations, each with a first organization key, and shows and renames them. */
public final class OrganizationService implements CreateOrganizationUseCase, ManageOrganizationUseCase {
    static final String FIRST_KEY_NAME = "default";

    private final LoadOrganizationPort loadOrganizations;
    private final SaveOrganizationPort organizations;
    private final SecureRandom random;
    private final Clock clock;

    public OrganizationService(LoadOrganizationPort loadOrganizations, SaveOrganizationPort organizations, SecureRandom random, Clock clock) {
        this.loadOrganizations = requireNonNull(loadOrganizations, "loadOrganizations is null");
        this.organizations = requireNonNull(organizations, "organizations is null");
        this.random = requireNonNull(random, "random is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    @Override
    public NewOrganization create(String name) {
        Instant now = clock.instant();
        Organization organization = Organization.create(name, now);
        ApiKeySecret secret = ApiKeySecret.generate(ApiKeyKind.ORGANIZATION, random);
        organizations.insertWithKey(organization, ApiKey.issue(organization.id(), FIRST_KEY_NAME, secret, now));
        return new NewOrganization(organization, secret);
    }

    @Override
    public Organization get(Caller caller) {
        caller.requireOrganizationKey();
        return loadOrganizations.findById(caller.organizationId())
                .orElseThrow(() -> new ChowderException(ErrorCode.NOT_FOUND, "Organization not found."));
    }

    @Override
    public Organization rename(Caller caller, String name) {
        Organization current = get(caller);
        Organization renamed = new Organization(current.id(), name, current.createdAt(), clock.instant());
        organizations.update(renamed);
        return renamed;
    }

    @Override
    public List<Organization> listAll(Caller operator) {
        if (!operator.actsForAllOrganizations()) {
            throw new ChowderException(ErrorCode.PERMISSION_DENIED, "Only the operator lists all organizations.");
        }
        return loadOrganizations.listOrganizations();
    }
}
