package chowder.application.port.in;

import static java.util.Objects.requireNonNull;

import chowder.domain.ApiKeySecret;
import chowder.domain.Organization;

/** A just-created organization (as the hosted API shows it) and its first organization key, the only time the raw key is seen. */
public record NewOrganization(OrganizationDetails details, ApiKeySecret apiKey) {
    public NewOrganization {
        requireNonNull(details, "details is null");
        requireNonNull(apiKey, "apiKey is null");
    }

    public Organization organization() {
        return details.organization();
    }
}
