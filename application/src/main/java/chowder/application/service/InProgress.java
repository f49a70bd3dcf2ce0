package chowder.application.service;

import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.InstanceId;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/** One operation under way on an instance, holding one of its slots until closed. */
final class InProgress implements AutoCloseable {
    private final Semaphore slots;

    private InProgress(Semaphore slots) {
        this.slots = slots;
    }

    @Override
    public void close() {
        slots.release();
    }

    /** At most {@code perInstance} operations under way per instance; one more is refused at once (503, retry later). */
    static final class Slots {
        private final int perInstance;
        private final Map<InstanceId, Semaphore> byInstance = new ConcurrentHashMap<>();

        Slots(int perInstance) {
            this.perInstance = perInstance;
        }

        InProgress enter(InstanceId instance) {
            Semaphore slots = byInstance.computeIfAbsent(instance, id -> new Semaphore(perInstance));
            if (!slots.tryAcquire()) {
                throw new ChowderException(ErrorCode.OVERLOADED, "Chowder is busy – this instance already has " + perInstance
                        + " skill operations under way (its gateway answers them one by one); retry when they are done.");
            }
            return new InProgress(slots);
        }
    }
}
