package chowder.application.port.out;

import chowder.domain.Organization;
import chowder.domain.OrganizationId;
import java.util.List;
import java.util.Optional;

/** Reads organizations; blocking, never returns null. */
public interface LoadOrganizationPort {
    /** On every authenticated request: implementations answer from a cache kept coherent across nodes. */
    Optional<Organization> findById(OrganizationId id);

    /** Every organization, oldest first (for operators). */
    List<Organization> listOrganizations();
}
