package chowder.application.port.out;

import chowder.domain.Instance;
import chowder.domain.InstanceId;
import chowder.domain.OrganizationId;
import java.util.List;
import java.util.Optional;

/** Reads instances, with their decrypted gateway token; blocking, never returns null. */
public interface LoadInstancePort {
    Optional<Instance> findById(InstanceId id);

    /** The organization's instances of every status, newest first. */
    List<Instance> listByOrganization(OrganizationId organizationId);

    /** Every organization's instances of every status, newest first (for operators). */
    List<Instance> listAll();

    /** The instances that health probing watches (provisioning, running, error), of every organization. */
    List<Instance> listProbed();
}
