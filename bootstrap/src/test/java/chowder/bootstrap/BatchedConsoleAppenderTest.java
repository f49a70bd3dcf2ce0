package chowder.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The console appenders of logback.xml: behind the batching appender, a batch of lines is one write to stderr. */
@Timeout(120)
class BatchedConsoleAppenderTest {
    private final LoggerContext context = new LoggerContext();
    private final Stderr stderr = new Stderr();
    private PrintStream realStderr;

    BatchedConsoleAppenderTest() {
        context.setMDCAdapter(new LogbackMDCAdapter());
    }

    @BeforeEach
    void captureStderr() {
        realStderr = System.err;
        System.setErr(new PrintStream(stderr, false, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restoreStderr() {
        context.stop();
        System.setErr(realStderr);
    }

    @Test
    void aBatchOfLinesReachesStderrInOneWriteOnceTheBatchIsWritten() throws Exception {
        BatchingAsyncAppender batching = new BatchingAsyncAppender();
        batching.setContext(context);
        batching.setName("test");
        // The writer looks only when stopped: the hundred lines below are one batch.
        batching.setMaxDelayMillis(600_000);
        batching.addAppender(console(false));
        batching.start();
        Logger log = logger();
        log.addAppender(batching);
        awaitParked(writer());

        for (int i = 0; i < 100; i++) {
            log.info("line {}", i);
        }
        Thread.sleep(100);
        assertThat(stderr.writes()).as("writes before the batch was written").isZero();
        batching.stop();

        assertThat(stderr.writes()).as("writes of the batch").isEqualTo(1);
        assertThat(stderr.text().lines()).isEqualTo(IntStream.range(0, 100).mapToObj(i -> "line " + i).toList());
    }

    @Test
    void aBatchIsOnStderrOnceWrittenNotOnlyWhenLoggingStops() throws Exception {
        BatchingAsyncAppender batching = new BatchingAsyncAppender();
        batching.setContext(context);
        batching.setName("test");
        batching.addAppender(console(false));
        batching.start();
        Logger log = logger();
        log.addAppender(batching);

        log.info("soon");

        // 10 ms by design; seconds allowed for a loaded machine.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (stderr.text().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(stderr.text()).isEqualTo("soon\n");
        assertThat(batching.isStarted()).isTrue();
    }

    @Test
    void usedAloneWithLogbacksDefaultEachLineIsWrittenAtOnce() {
        BatchedConsoleAppender<ILoggingEvent> console = console(true);
        Logger log = logger();
        log.addAppender(console);

        log.info("first");
        assertThat(stderr.text()).isEqualTo("first\n");
        log.info("second");
        assertThat(stderr.text()).isEqualTo("first\nsecond\n");
        assertThat(stderr.writes()).isEqualTo(2);
    }

    @Test
    void linesBeyondTheBufferAreWrittenWholeAndInOrder() throws Exception {
        BatchedConsoleAppender<ILoggingEvent> console = console(false);
        Logger log = logger();
        log.addAppender(console);
        String filler = "x".repeat(1000);
        int lines = 3 * BatchedConsoleAppender.BUFFER_BYTES / filler.length();

        for (int i = 0; i < lines; i++) {
            log.info("{} {}", i, filler);
        }
        console.flush();

        List<String> written = stderr.text().lines().toList();
        assertThat(written).hasSize(lines);
        for (int i = 0; i < lines; i++) {
            assertThat(written.get(i)).isEqualTo(i + " " + filler);
        }
        assertThat(stderr.writes()).isBetween(3, 4);
    }

    private BatchedConsoleAppender<ILoggingEvent> console(boolean immediateFlush) {
        BatchedConsoleAppender<ILoggingEvent> console = new BatchedConsoleAppender<>();
        console.setContext(context);
        console.setTarget("System.err");
        console.setImmediateFlush(immediateFlush);
        MessageLineEncoder encoder = new MessageLineEncoder();
        encoder.setContext(context);
        encoder.start();
        console.setEncoder(encoder);
        console.start();
        assertThat(console.isStarted()).isTrue();
        return console;
    }

    private Logger logger() {
        Logger log = context.getLogger("chowder.access");
        log.setAdditive(false);
        return log;
    }

    private Thread writer() {
        return Thread.getAllStackTraces().keySet().stream().filter(thread -> thread.getName().equals("log-writer-test")).findFirst()
                .orElseThrow();
    }

    private static void awaitParked(Thread writer) throws InterruptedException {
        while (writer.getState() != Thread.State.TIMED_WAITING) {
            Thread.sleep(5);
        }
    }

    /** What reaches stderr, and in how many writes. */
    private static final class Stderr extends OutputStream {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private int writes;

        @Override
        public synchronized void write(int b) {
            writes++;
            bytes.write(b);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            writes++;
            bytes.write(b, off, len);
        }

        synchronized int writes() {
            return writes;
        }

        synchronized String text() {
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }
}
