package chowder.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import ch.qos.logback.core.read.ListAppender;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The background appender of the access log and of the application's lines (logback.xml). */
@Timeout(120)
class BatchingAsyncAppenderTest {
    private final LoggerContext context = new LoggerContext();
    private final ListAppender<ILoggingEvent> written = new ListAppender<>();

    BatchingAsyncAppenderTest() {
        context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
    }

    @AfterEach
    void stopLogging() {
        context.stop();
    }

    @Test
    void everyEventOfManyThreadsIsWrittenInTheOrderEachLoggedItThroughAQueueOfFour() throws Exception {
        BatchingAsyncAppender appender = started(4, 1_000, written);
        Logger log = logger(appender);
        int threads = 8;
        int events = 2_000;
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            for (int thread = 0; thread < threads; thread++) {
                int id = thread;
                pool.submit(() -> {
                    for (int event = 0; event < events; event++) {
                        log.info("{} {}", id, event);
                    }
                });
            }
        }
        appender.stop();

        assertThat(written.list).hasSize(threads * events);
        List<List<Integer>> byThread = new ArrayList<>();
        for (int thread = 0; thread < threads; thread++) {
            byThread.add(new ArrayList<>());
        }
        for (ILoggingEvent event : written.list) {
            String[] parts = event.getFormattedMessage().split(" ");
            byThread.get(Integer.parseInt(parts[0])).add(Integer.parseInt(parts[1]));
        }
        for (List<Integer> ofThread : byThread) {
            assertThat(ofThread).hasSize(events).isSorted();
        }
    }

    @Test
    void aLoneEventIsWrittenWithoutWaitingForOthers() throws Exception {
        Logger log = logger(started(8192, 10, written));

        log.info("alone");

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (written.list.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(written.list).extracting(ILoggingEvent::getFormattedMessage).containsExactly("alone");
    }

    /** A request's thread queues its line and goes on: it never wakes the writer (logback's AsyncAppender did, per line). */
    @Test
    void loggingWakesNoThreadTheWriterLooksWhenItsDelayIsUpAndStoppingWritesWhatIsQueued() throws Exception {
        BatchingAsyncAppender appender = started(8192, 600_000, written);
        Logger log = logger(appender);
        Thread writer = writerOf(appender);
        awaitParked(writer);

        log.info("first");
        log.info("second");
        Thread.sleep(200);

        assertThat(writer.getState()).isEqualTo(Thread.State.TIMED_WAITING);
        assertThat(written.list).isEmpty();
        appender.stop();
        assertThat(written.list).extracting(ILoggingEvent::getFormattedMessage).containsExactly("first", "second");
        assertThat(writer.isAlive()).isFalse();
    }

    @Test
    void aThreadThatLogsDoesNotWaitForASlowAppenderAndStoppingWaitsForIt() throws Exception {
        CountDownLatch stderrFree = new CountDownLatch(1);
        List<String> slow = new ArrayList<>();
        AppenderBase<ILoggingEvent> stalled = new AppenderBase<>() {
            @Override
            protected void append(ILoggingEvent event) {
                try {
                    stderrFree.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                slow.add(event.getFormattedMessage());
            }
        };
        BatchingAsyncAppender appender = started(8192, 1, stalled);
        Logger log = logger(appender);

        for (int i = 0; i < 100; i++) {
            log.info("line {}", i);
        }

        assertThat(slow).isEmpty();
        stderrFree.countDown();
        appender.stop();
        assertThat(slow).hasSize(100).startsWith("line 0").endsWith("line 99");
    }

    private BatchingAsyncAppender started(int queueSize, int maxDelayMillis, AppenderBase<ILoggingEvent> downstream) {
        downstream.setContext(context);
        downstream.start();
        BatchingAsyncAppender appender = new BatchingAsyncAppender();
        appender.setContext(context);
        appender.setName("test");
        appender.setQueueSize(queueSize);
        appender.setMaxDelayMillis(maxDelayMillis);
        appender.addAppender(downstream);
        appender.start();
        assertThat(appender.isStarted()).isTrue();
        return appender;
    }

    private Logger logger(BatchingAsyncAppender appender) {
        Logger log = context.getLogger("chowder.access");
        log.setAdditive(false);
        log.addAppender(appender);
        return log;
    }

    private static Thread writerOf(BatchingAsyncAppender appender) {
        return Thread.getAllStackTraces().keySet().stream().filter(thread -> thread.getName().equals("log-writer-test")).findFirst()
                .orElseThrow();
    }

    private static void awaitParked(Thread writer) throws InterruptedException {
        while (writer.getState() != Thread.State.TIMED_WAITING) {
            Thread.sleep(5);
        }
    }
}
