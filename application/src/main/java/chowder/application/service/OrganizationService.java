package chowder.application.service;

import static java.util.Objects.requireNonNull;

import chowder.application.port.in.CreateOrganizationUseCase;
import chowder.application.port.in.NewOrganization;
import chowder.application.port.out.SaveOrganizationPort;
import chowder.domain.ApiKey;
import chowder.domain.ApiKeyKind;
import chowder.domain.ApiKeySecret;
import chowder.domain.Organization;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;

/** Creates organizations, each with a first organization key. */
public final class OrganizationService implements CreateOrganizationUseCase {
    static final String FIRST_KEY_NAME = "default";

    private final SaveOrganizationPort organizations;
    private final SecureRandom random;
    private final Clock clock;

    public OrganizationService(SaveOrganizationPort organizations, SecureRandom random, Clock clock) {
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
}
