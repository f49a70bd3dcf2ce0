package chowder.application.port.in;

import chowder.domain.Caller;
import chowder.domain.Instance;
import chowder.domain.InstanceId;
import java.util.List;
import java.util.Optional;

/** Shows a caller the instances of its own organization; deleted ones and other organizations' are not found. */
public interface ViewInstancesUseCase {
    /** Newest first, terminated instances left out. */
    List<Instance> list(Caller caller);

    Instance get(Caller caller, InstanceId id);

    /** How the instance's gateway is confined when Chowder runs it ({@code bubblewrap}, or {@code off}); empty for a registered gateway. */
    Optional<String> sandboxOf(Instance instance);
}
