package chowder.application.service;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BinaryOperator;
import java.util.function.Consumer;

/**
 * Values gathered per key in memory (merged as they arrive) and written in batches: {@link #drainTo}
 * hands everything gathered so far to a writer, and keeps it for the next drain if the writer fails.
 * Thread-safe; what arrives during a drain goes to the next one. Drains run one at a time: a drain that begins while
 * another is writing returns only after that write, so a reader that drains before it reads (a session's counters)
 * sees everything gathered before its drain, even what a periodic drain had taken and was still writing.
 */
final class CoalescingBuffer<K, V> {
    private final ConcurrentHashMap<K, V> pending = new ConcurrentHashMap<>();
    private final BinaryOperator<V> merge;
    // Not synchronized: a drain writes to a database, and a virtual thread must not be pinned while it waits.
    private final ReentrantLock draining = new ReentrantLock();

    CoalescingBuffer(BinaryOperator<V> merge) {
        this.merge = merge;
    }

    void add(K key, V value) {
        pending.merge(key, value, merge);
    }

    void drainTo(Consumer<Map<K, V>> writer) {
        draining.lock();
        try {
            drainHeldTo(writer);
        } finally {
            draining.unlock();
        }
    }

    private void drainHeldTo(Consumer<Map<K, V>> writer) {
        Map<K, V> batch = new HashMap<>();
        for (K key : pending.keySet()) {
            V value = pending.remove(key);
            if (value != null) {
                batch.put(key, value);
            }
        }
        if (batch.isEmpty()) {
            return;
        }
        try {
            writer.accept(batch);
        } catch (RuntimeException e) {
            batch.forEach(this::add);
            throw e;
        }
    }
}
