package chowder.application.service;

import static java.util.Objects.requireNonNull;

import chowder.application.port.in.CheckReadinessUseCase;
import chowder.application.port.out.StoreHealthPort;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;

/** A node is ready when its store is reachable and fully migrated. */
public final class ReadinessService implements CheckReadinessUseCase {
    private final StoreHealthPort store;

    public ReadinessService(StoreHealthPort store) {
        this.store = requireNonNull(store, "store is null");
    }

    @Override
    public void requireReady() {
        try {
            store.requireReady();
        } catch (RuntimeException e) {
            throw new ChowderException(ErrorCode.NOT_READY, "Not ready: " + e.getMessage() + ".");
        }
    }
}
