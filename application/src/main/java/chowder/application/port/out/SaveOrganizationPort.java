package chowder.application.port.out;

import chowder.domain.ApiKey;
import chowder.domain.Organization;

/** Stores organizations durably before returning. */
public interface SaveOrganizationPort {
    /** A new organization together with its first key, atomically. */
    void insertWithKey(Organization organization, ApiKey firstKey);

    /** Replaces the stored organization (its name and updated_at). */
    void update(Organization organization);
}
