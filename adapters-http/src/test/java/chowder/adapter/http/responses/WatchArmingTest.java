package chowder.adapter.http.responses;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Arming on one thread: never before the delay, always after it (also after the thread slept), never a stopped watch. */
class WatchArmingTest {
    private static final Duration DELAY = Duration.ofMillis(50);

    private static class Recorded implements WatchArming.Watch {
        final long start = System.nanoTime();
        final AtomicBoolean watching = new AtomicBoolean(true);
        final AtomicLong armedAt = new AtomicLong();
        final CountDownLatch armed = new CountDownLatch(1);

        @Override
        public long startNanos() {
            return start;
        }

        @Override
        public boolean isWatching() {
            return watching.get();
        }

        @Override
        public void arm() {
            if (watching.get()) {
                armedAt.set(System.nanoTime());
                armed.countDown();
            }
        }
    }

    @Test
    void watchesAreArmedOnceTheyWaitedTheDelayAndStoppedOnesNever() throws Exception {
        WatchArming arming = new WatchArming(DELAY);
        Recorded first = new Recorded();
        Recorded stopped = new Recorded();
        Recorded last = new Recorded();
        // Stopped before it is added: set after, a test thread paused for the delay would see it armed.
        stopped.watching.set(false);
        arming.add(first);
        arming.add(stopped);
        arming.add(last);

        assertThat(first.armed.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(last.armed.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(first.armedAt.get() - first.start).isGreaterThanOrEqualTo(DELAY.toNanos());
        assertThat(last.armedAt.get() - last.start).isGreaterThanOrEqualTo(DELAY.toNanos());
        assertThat(stopped.armed.getCount()).isEqualTo(1);

        // Idle for longer than the thread ticks without work: it sleeps, and the next watch wakes it.
        Thread.sleep(1_500);
        Recorded afterSleep = new Recorded();
        arming.add(afterSleep);
        assertThat(afterSleep.armed.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(afterSleep.armedAt.get() - afterSleep.start).isGreaterThanOrEqualTo(DELAY.toNanos());
    }

    @Test
    void aWatchThatFailsToArmDoesNotStopTheOthers() throws Exception {
        WatchArming arming = new WatchArming(DELAY);
        arming.add(new Recorded() {
            @Override
            public void arm() {
                throw new IllegalStateException("connection closed meanwhile");
            }
        });
        Recorded next = new Recorded();
        arming.add(next);
        assertThat(next.armed.await(10, TimeUnit.SECONDS)).isTrue();
    }
}
