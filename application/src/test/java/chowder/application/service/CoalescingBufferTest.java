package chowder.application.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class CoalescingBufferTest {
    private final CoalescingBuffer<String, Integer> buffer = new CoalescingBuffer<>(Integer::sum);
    private final Map<String, Integer> written = new ConcurrentHashMap<>();

    /**
     * A session read drains the buffer before it reads the store. When the periodic drain has just taken the turns and is
     * still writing them, the reader's drain finds nothing to write: it must still wait for that write, or the read
     * misses turns that were answered before it (seen in the e2e suite: a session shown with 0 turns after its turn).
     */
    @Test
    void aDrainThatBeginsWhileAnotherIsWritingReturnsOnlyAfterThatWrite() throws Exception {
        buffer.add("session", 1);
        CountDownLatch periodicWriting = new CountDownLatch(1);
        CountDownLatch databaseAnswers = new CountDownLatch(1);
        Thread periodic = Thread.ofVirtual().start(() -> buffer.drainTo(batch -> {
            periodicWriting.countDown();
            await(databaseAnswers);
            batch.forEach((key, value) -> written.merge(key, value, Integer::sum));
        }));
        assertThat(periodicWriting.await(30, TimeUnit.SECONDS)).isTrue();

        Thread reader = Thread.ofVirtual().start(() -> buffer.drainTo(batch -> batch.forEach((key, value) -> written.merge(key, value, Integer::sum))));
        awaitWaiting(reader);
        assertThat(reader.isAlive()).as("the reader's drain returned while the periodic one was still writing").isTrue();
        databaseAnswers.countDown();
        reader.join();

        assertThat(written).containsEntry("session", 1);
        periodic.join();
    }

    @Test
    void whatArrivesDuringADrainGoesToTheNextOneAndAFailedWriteIsKept() {
        buffer.add("a", 1);
        buffer.drainTo(batch -> {
            buffer.add("a", 10);
            batch.forEach(written::put);
        });
        assertThat(written).containsExactly(Map.entry("a", 1));

        buffer.add("a", 5);
        try {
            buffer.drainTo(batch -> {
                throw new IllegalStateException("database down");
            });
        } catch (IllegalStateException expected) {
            // kept for the next drain
        }
        buffer.drainTo(written::putAll);
        assertThat(written).containsExactly(Map.entry("a", 15));
    }

    private static void awaitWaiting(Thread thread) throws InterruptedException {
        while (thread.isAlive() && thread.getState() != Thread.State.WAITING) {
            Thread.sleep(5);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
