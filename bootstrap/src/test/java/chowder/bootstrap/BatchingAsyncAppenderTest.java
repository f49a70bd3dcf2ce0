package chowder.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.AppenderBase;
import ch.qos.logback.core.read.ListAppender;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The background appender of the access log and of the application's lines (logback.xml). */
@Timeout(120)
class BatchingAsyncAppenderTest {
    private final LoggerContext context = new LoggerContext();
    private final ListAppender<ILoggingEvent> written = new ListAppender<>();

    BatchingAsyncAppenderTest() {
        context.setMDCAdapter(new LogbackMDCAdapter());
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
        CountDownLatch arrived = new CountDownLatch(1);
        List<String> lines = new CopyOnWriteArrayList<>();
        Logger log = logger(started(8192, 10, appending(event -> {
            lines.add(event.getFormattedMessage());
            arrived.countDown();
        })));

        log.info("alone");

        // 10 ms by design; seconds allowed for a loaded machine.
        assertThat(arrived.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(lines).containsExactly("alone");
    }

    @Test
    void anAppenderThatFailsDoesNotStopTheWriter() {
        List<String> lines = new CopyOnWriteArrayList<>();
        BatchingAsyncAppender appender = started(8192, 1, appending(event -> {
            if (event.getFormattedMessage().equals("boom")) {
                throw new StackOverflowError("an appender's error");
            }
            lines.add(event.getFormattedMessage());
        }));
        Logger log = logger(appender);

        log.info("before");
        log.info("boom");
        log.info("after");
        appender.stop();

        assertThat(lines).containsExactly("before", "after");
    }

    @Test
    void everyLineLoggedBeforeStopBeganIsWrittenWhileThreadsKeepLoggingThroughAQueueOfFour() throws Exception {
        BatchingAsyncAppender appender = started(4, 10, written);
        // The four threads below keep the cores busy while stop() drains: its default second may not be enough.
        appender.setMaxFlushTimeMillis(60_000);
        Logger log = logger(appender);
        int threads = 4;
        AtomicIntegerArray returned = new AtomicIntegerArray(threads);
        AtomicBoolean logging = new AtomicBoolean(true);
        List<Thread> loggers = new ArrayList<>();
        for (int thread = 0; thread < threads; thread++) {
            int id = thread;
            loggers.add(Thread.ofPlatform().start(() -> {
                for (int line = 0; logging.get(); line++) {
                    log.info("{} {}", id, line);
                    returned.set(id, line + 1);
                }
            }));
        }
        while (returned.get(threads - 1) < 500) {
            Thread.sleep(1);
        }

        int[] beforeStop = new int[threads];
        for (int thread = 0; thread < threads; thread++) {
            beforeStop[thread] = returned.get(thread);
        }
        appender.stop();
        logging.set(false);
        for (Thread each : loggers) {
            each.join();
        }

        for (int thread = 0; thread < threads; thread++) {
            int id = thread;
            List<Integer> lines = written.list.stream().map(ILoggingEvent::getFormattedMessage).map(line -> line.split(" "))
                    .filter(parts -> Integer.parseInt(parts[0]) == id).map(parts -> Integer.parseInt(parts[1])).toList();
            assertThat(lines).as("thread %d", id).isSorted().hasSizeGreaterThanOrEqualTo(beforeStop[id]);
            assertThat(lines.subList(0, beforeStop[id])).as("thread %d", id).isEqualTo(IntStream.range(0, beforeStop[id]).boxed().toList());
        }
    }

    /** A request's thread queues its line and goes on: it never wakes the writer (logback's AsyncAppender did, per line). */
    @Test
    void loggingWakesNoThreadTheWriterLooksWhenItsDelayIsUpAndStoppingWritesWhatIsQueued() throws Exception {
        BatchingAsyncAppender appender = started(8192, 600_000, written);
        Logger log = logger(appender);
        Thread writer = writer();
        awaitParked(writer);

        log.info("first");
        log.info("second");
        Thread.sleep(200);

        assertThat(written.list).as("written before the writer's delay was up").isEmpty();
        appender.stop();
        assertThat(written.list).extracting(ILoggingEvent::getFormattedMessage).containsExactly("first", "second");
        assertThat(writer.isAlive()).isFalse();
    }

    @Test
    void aThreadThatLogsDoesNotWaitForASlowAppenderAndStoppingWaitsForItEvenFromAnInterruptedThread() throws Exception {
        CountDownLatch stderrFree = new CountDownLatch(1);
        List<String> slow = new CopyOnWriteArrayList<>();
        BatchingAsyncAppender appender = started(8192, 1, appending(event -> {
            try {
                stderrFree.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            slow.add(event.getFormattedMessage());
        }));
        appender.setMaxFlushTimeMillis(60_000);
        Logger log = logger(appender);

        for (int i = 0; i < 100; i++) {
            log.info("line {}", i);
        }

        assertThat(slow).isEmpty();
        // stderr frees up only once stopping has begun: stopping must wait for it, though its thread was interrupted.
        CompletableFuture.runAsync(stderrFree::countDown, CompletableFuture.delayedExecutor(300, TimeUnit.MILLISECONDS));
        Thread.currentThread().interrupt();
        appender.stop();
        assertThat(Thread.interrupted()).as("the caller's interrupt is kept").isTrue();
        assertThat(slow).hasSize(100).startsWith("line 0").endsWith("line 99");
    }

    private static AppenderBase<ILoggingEvent> appending(Consumer<ILoggingEvent> line) {
        return new AppenderBase<>() {
            @Override
            protected void append(ILoggingEvent event) {
                line.accept(event);
            }
        };
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

    /** The writer of the appender named "test" ({@link #started}; {@link BatchedConsoleAppenderTest} names its own so). */
    static Thread writer() {
        return Thread.getAllStackTraces().keySet().stream().filter(thread -> thread.getName().equals("log-writer-test")).findFirst()
                .orElseThrow();
    }

    static void awaitParked(Thread writer) throws InterruptedException {
        while (writer.getState() != Thread.State.TIMED_WAITING) {
            Thread.sleep(5);
        }
    }
}
