package chowder.application.service;

import chowder.application.port.out.LoadInstancePort;
import chowder.domain.Caller;
import chowder.domain.ChowderException;
import chowder.domain.Instance;
import chowder.domain.InstanceId;
import chowder.domain.Permission;

/**
 * The one rule for resolving an instance for a caller: another organization's, a deleted one, or one a
 * scoped key was not granted is not found; a scoped key without the permission is refused.
 */
final class VisibleInstances {
    private VisibleInstances() {}

    static Instance find(LoadInstancePort instances, Caller caller, InstanceId id, Permission needed) {
        Instance instance = instances.findById(id)
                .filter(found -> found.visibleTo(caller))
                .orElseThrow(ChowderException::instanceNotFound);
        caller.requirePermission(id, needed);
        return instance;
    }
}
