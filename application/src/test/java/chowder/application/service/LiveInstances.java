package chowder.application.service;

import chowder.application.port.out.LoadInstancePort;
import chowder.domain.ChowderException;
import chowder.domain.InstanceId;
import chowder.domain.InstanceStatus;

/**
 * Which instances settings may be saved for, as the real stores check it: a live (not terminated) instance, so that no
 * secret is saved after its instance's settings were deleted. Without an instance store, every id counts as live.
 */
record LiveInstances(LoadInstancePort instances) {
    static final LiveInstances ANY = new LiveInstances(null);

    void require(InstanceId instance) {
        if (instances != null && instances.findById(instance).filter(found -> found.status() != InstanceStatus.TERMINATED).isEmpty()) {
            throw ChowderException.instanceNotFound();
        }
    }
}
