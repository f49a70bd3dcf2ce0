package chowder.application.port.out;

import chowder.domain.ApiKey;
import chowder.domain.Organization;

/**
 * Stores organizations durably before returning. A change is seen by every node's next request (organizations are read
 * on every request: implementations cache them coherently).
 */
public interface SaveOrganizationPort {
    /** A new organization together with its first key, atomically. */
    void insertWithKey(Organization organization, ApiKey firstKey);

    /** Replaces the stored organization's name and updated_at (never its suspension: a rename cannot undo one). */
    void update(Organization organization);

    /** Stores whether the organization is suspended ({@code suspended_at}) and its updated_at. */
    void updateSuspension(Organization organization);
}
