package chowder.application.service;

import static java.util.Objects.requireNonNull;

import chowder.application.port.in.UsageWindow;
import chowder.application.port.in.ViewModelUsageUseCase;
import chowder.application.port.out.LoadInstancePort;
import chowder.application.port.out.ModelUsagePort;
import chowder.application.port.out.ModelUsagePort.Calls;
import chowder.domain.Caller;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.InstanceId;
import chowder.domain.ModelProviderName;
import chowder.domain.Permission;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Reports an instance's model usage, per provider, over a range of hours. */
public final class ModelUsageService implements ViewModelUsageUseCase {
    private static final Logger log = Logger.getLogger(ModelUsageService.class.getName());

    private final LoadInstancePort instances;
    private final ModelUsagePort store;
    private final ModelUsageRecorder recorder;

    public ModelUsageService(LoadInstancePort instances, ModelUsagePort store, ModelUsageRecorder recorder) {
        this.instances = requireNonNull(instances, "instances is null");
        this.store = requireNonNull(store, "store is null");
        this.recorder = requireNonNull(recorder, "recorder is null");
    }

    @Override
    public List<ProviderUsage> modelUsage(Caller caller, InstanceId instance, Instant from, Instant to) {
        VisibleInstances.find(instances, caller, instance, Permission.READ);
        if (caller.scope().sessionBound()) {
            throw new ChowderException(ErrorCode.PERMISSION_DENIED, "A key bound to sessions cannot read the instance's usage.");
        }
        new UsageWindow(from, to).requireNotEmpty();
        try {
            recorder.flush();
        } catch (RuntimeException e) {
            log.log(Level.WARNING, "Writing model usage before a read failed; it is retried at the next flush", e);
        }
        Map<ModelProviderName, Calls> byProvider = new TreeMap<>();
        store.hoursOf(instance, from, to).forEach(hour -> byProvider.merge(hour.provider(), hour.calls(), Calls::plus));
        return byProvider.entrySet().stream()
                .map(entry -> new ProviderUsage(entry.getKey(), entry.getValue().requests(), entry.getValue().tokens()))
                .toList();
    }
}
