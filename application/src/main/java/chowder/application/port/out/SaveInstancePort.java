package chowder.application.port.out;

import chowder.domain.Instance;
import chowder.domain.InstanceStatus;

/** Stores instances durably (gateway tokens encrypted) before returning. */
public interface SaveInstancePort {
    /**
     * Stores a new instance unless its organization already has {@code maxPerOrganization} instances
     * that are not terminated (0 means no limit); the count and the insert are one atomic step.
     *
     * @return false when the limit was reached and nothing was stored
     */
    boolean insertWithinLimit(Instance instance, int maxPerOrganization);

    /**
     * Replaces the stored instance with {@code updated} if its status is still {@code expectedStatus},
     * so that concurrent changes (a health probe and a stop) never overwrite each other.
     *
     * @return false when the status had changed in between and nothing was written
     */
    boolean updateIfStatus(Instance updated, InstanceStatus expectedStatus);
}
