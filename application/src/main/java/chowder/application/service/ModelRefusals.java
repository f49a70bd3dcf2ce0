package chowder.application.service;

import chowder.domain.InstanceId;
import chowder.domain.LimitExceededException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The last budget or rate refusal of each instance's model calls, so that a turn its gateway could not finish because of
 * one is answered with that refusal (429 naming the limit) rather than the gateway's bare "internal error": OpenClaw ends
 * a run whose model call failed with a 500 that does not say why.
 */
public final class ModelRefusals {
    private record Refusal(LimitExceededException error, long atNanos) {}

    private final Map<InstanceId, Refusal> last = new ConcurrentHashMap<>();

    void record(InstanceId instance, LimitExceededException error) {
        last.put(instance, new Refusal(error, System.nanoTime()));
    }

    /** The refusal of a model call of {@code instance} made since {@code startNanos} ({@link System#nanoTime()}), if any. */
    Optional<LimitExceededException> since(InstanceId instance, long startNanos) {
        Refusal refusal = last.get(instance);
        return refusal != null && refusal.atNanos() - startNanos >= 0 ? Optional.of(refusal.error()) : Optional.empty();
    }
}
