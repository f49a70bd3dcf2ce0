package chowder.application.port.in;

import chowder.domain.Caller;
import chowder.domain.Instance;
import chowder.domain.InstanceId;

/** Changes an instance: configuration, stop and start, deletion. Organization keys only. */
public interface ManageInstancesUseCase {
    Instance update(UpdateInstanceCommand command);

    /** Stops routing to it: responses answer 409 until it is started again. */
    Instance stop(Caller caller, InstanceId id);

    /** Resumes a stopped instance; it is provisioning until its next successful health probe. */
    Instance start(Caller caller, InstanceId id);

    /** Marks it terminated: kept in storage, hidden everywhere. */
    void delete(Caller caller, InstanceId id);
}
