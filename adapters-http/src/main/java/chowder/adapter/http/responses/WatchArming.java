package chowder.adapter.http.responses;

import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Arms each disconnect watch once its request has waited a fixed delay, on one platform thread. Every watch waits the
 * same delay, so arrival order is deadline order: a lock-free FIFO, read from its head every tick, replaces a timer
 * per request (a scheduled task, a heap under a lock, a wake-up of the timer thread, and a removal for the many
 * requests answered first). A watch that stopped meanwhile is dropped when it reaches the head. The thread ticks while
 * watches are pending and sleeps once it has seen none for a while, until the next one arrives.
 */
final class WatchArming {
    private static final Logger log = LoggerFactory.getLogger(WatchArming.class);
    private static final long TICK_NANOS = Duration.ofMillis(5).toNanos();
    // Ticks without a pending watch before the thread sleeps until one arrives.
    private static final int IDLE_TICKS = 200;

    /** What is armed: a request's watch. */
    interface Watch {
        /** When its request began to wait ({@link System#nanoTime()}). */
        long startNanos();

        /** False once it stopped: it is then dropped, not armed. */
        boolean isWatching();

        void arm();
    }

    private final long delayNanos;
    private final ConcurrentLinkedQueue<Watch> pending = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    private volatile boolean sleeping;

    WatchArming(Duration delay) {
        this.delayNanos = delay.toNanos();
        this.thread = Thread.ofPlatform().name("chowder-disconnect-watch").daemon().start(this::run);
    }

    /** Arms {@code watch} (unless it stopped) once {@code startNanos} is the delay ago, within a tick. */
    void add(Watch watch) {
        pending.offer(watch);
        if (sleeping) {
            LockSupport.unpark(thread);
        }
    }

    private void run() {
        int idle = 0;
        while (true) {
            idle = armDue() ? 0 : idle + 1;
            if (idle >= IDLE_TICKS) {
                sleeping = true;
                // Checked after the flag is set: a watch added before it was seen is not slept through.
                if (pending.isEmpty()) {
                    LockSupport.park(this);
                }
                sleeping = false;
                idle = 0;
            } else {
                LockSupport.parkNanos(this, TICK_NANOS);
            }
        }
    }

    /** Arms the watches that waited long enough; whether any watch was pending. */
    private boolean armDue() {
        Watch head = pending.peek();
        boolean any = head != null;
        long now = System.nanoTime();
        while (head != null && (!head.isWatching() || now - head.startNanos() >= delayNanos)) {
            pending.poll();
            try {
                head.arm();
            } catch (Throwable e) {
                // One watch's failure is that watch's loss, never the thread's end: a dead thread would leave every later
                // watch pending, holding its request, and no client's departure noticed.
                log.warn("Arming a disconnect watch failed", e);
            }
            head = pending.peek();
        }
        return any;
    }
}
