package chowder.application.port.in;

import chowder.domain.Caller;
import chowder.domain.Organization;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The caller's own organization, and (for operators) all of them. */
public interface ManageOrganizationUseCase {
    /** The organization as the hosted API shows it (organization keys only). */
    OrganizationDetails get(Caller caller);

    /**
     * Renames the organization and merges its model keys: {@code modelApiKeys} maps provider names to keys, where an
     * empty key removes that provider's. Keys are never returned, logged or quoted in an error.
     */
    OrganizationDetails update(Caller caller, Optional<String> name, Map<String, String> modelApiKeys);

    /** Every organization; the operator only. */
    List<Organization> listAll(Caller operator);
}
