package chowder.application.port.out;

import chowder.domain.ApiKey;
import chowder.domain.Organization;

/** Stores a new organization together with its first key, atomically, before returning. */
public interface SaveOrganizationPort {
    void insertWithKey(Organization organization, ApiKey firstKey);
}
