package chowder.application.service;

import chowder.application.port.out.LoadInstancePort;
import chowder.domain.Caller;
import chowder.domain.ChowderException;
import chowder.domain.Instance;
import chowder.domain.InstanceId;

/** The one rule for resolving an instance for a caller: another organization's or a deleted one is not found. */
final class VisibleInstances {
    private VisibleInstances() {}

    static Instance find(LoadInstancePort instances, Caller caller, InstanceId id) {
        return instances.findById(id)
                .filter(instance -> instance.visibleTo(caller))
                .orElseThrow(ChowderException::instanceNotFound);
    }
}
