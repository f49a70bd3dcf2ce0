package chowder.application.port.out;

/** Whether the store can serve requests: reachable, and its schema fully migrated. */
public interface StoreHealthPort {
    /** Throws with a reason (never a secret) when the store is not ready; blocking, bounded by the pool's timeout. */
    void requireReady();
}
