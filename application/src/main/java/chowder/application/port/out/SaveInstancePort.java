package chowder.application.port.out;

import chowder.domain.Instance;

/** Stores instances durably (gateway tokens encrypted) before returning. */
public interface SaveInstancePort {
    /**
     * Stores a new instance unless its organization already has {@code maxPerOrganization} instances
     * that are not terminated (0 means no limit); the count and the insert are one atomic step. A store may delete, on
     * the way, the organization's terminated instances that were never used (no session, no model call).
     *
     * @return false when the limit was reached and nothing was stored
     */
    boolean insertWithinLimit(Instance instance, int maxPerOrganization);

    /**
     * Replaces the stored instance with {@code updated} if it is still {@code current} (same status and
     * updated_at), so that concurrent changes (a health probe, a stop, a PATCH) never overwrite each other.
     *
     * @return false when the instance had changed in between and nothing was written
     */
    boolean updateIfUnchanged(Instance updated, Instance current);
}
