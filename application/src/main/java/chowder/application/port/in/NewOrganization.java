package chowder.application.port.in;

import static java.util.Objects.requireNonNull;

import chowder.domain.ApiKeySecret;
import chowder.domain.Organization;

/** A just-created organization and its first organization key, the only time the raw key is seen. */
public record NewOrganization(Organization organization, ApiKeySecret apiKey) {
    public NewOrganization {
        requireNonNull(organization, "organization is null");
        requireNonNull(apiKey, "apiKey is null");
    }
}
