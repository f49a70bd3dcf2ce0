package chowder.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
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
        // The writer looks only when woken below: the hundred lines are one batch.
        BatchingAsyncAppender batching = batchingInFrontOf(console(false), 600_000);
        Logger log = logger();
        Thread writer = BatchingAsyncAppenderTest.writer();
        BatchingAsyncAppenderTest.awaitParked(writer);

        for (int i = 0; i < 100; i++) {
            log.info("line {}", i);
        }
        Thread.sleep(100);
        assertThat(stderr.chunks()).as("writes before the batch was written").isEmpty();
        LockSupport.unpark(writer);
        awaitChunks(1);

        assertThat(batching.isStarted()).as("written by the batch, not by stopping").isTrue();
        assertThat(stderr.chunks()).as("writes of the batch").hasSize(1);
        assertThat(stderr.text().lines()).isEqualTo(IntStream.range(0, 100).mapToObj(i -> "line " + i).toList());
    }

    @Test
    void aFlushThatThrowsAnErrorEndsNeitherTheWriterNorLogging() throws Exception {
        AtomicInteger flushes = new AtomicInteger();
        BatchedConsoleAppender<ILoggingEvent> failingOnce = new BatchedConsoleAppender<>() {
            @Override
            public void flush() throws IOException {
                if (flushes.incrementAndGet() == 1) {
                    throw new OutOfMemoryError("a flush's error");
                }
                super.flush();
            }
        };
        batchingInFrontOf(configured(failingOnce, false), 10);
        Logger log = logger();
        Thread writer = BatchingAsyncAppenderTest.writer();

        log.info("before");
        while (flushes.get() == 0) {
            Thread.sleep(5);
        }
        log.info("after");
        awaitChunks(1);

        assertThat(writer.isAlive()).isTrue();
        assertThat(stderr.text()).isEqualTo("before\nafter\n");
    }

    @Test
    void aBatchIsOnStderrOnceWrittenNotOnlyWhenLoggingStops() throws Exception {
        BatchingAsyncAppender batching = batchingInFrontOf(console(false), 10);
        Logger log = logger();

        log.info("soon");

        // 10 ms by design; seconds allowed for a loaded machine.
        awaitChunks(1);
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
        assertThat(stderr.chunks()).containsExactly("first\n", "second\n");
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
        // Whole lines in each write, about 64 KiB of them.
        assertThat(stderr.chunks()).hasSizeBetween(3, 4).allSatisfy(chunk -> assertThat(chunk).endsWith("\n"));
    }

    @Test
    void asciiLinesLongLinesAndOthersAreWrittenByteExactInOrder() throws Exception {
        BatchedConsoleAppender<ILoggingEvent> console = console(false);
        Logger log = logger();
        log.addAppender(console);
        // Short ASCII lines go through the appender's own buffer; a line longer than it, or one not ASCII, is encoded anew.
        List<String> lines = List.of("{\"a\":1}", "y".repeat(20_000), "{\"route\":\"/v1/caf\u00e9\"}", "{\"b\":2}", "",
                "z".repeat(8 * 1024 - 1), "z".repeat(8 * 1024), "{\"c\":\"\u4e2d\"}", "{\"d\":4}");
        lines.forEach(log::info);
        console.flush();

        assertThat(stderr.text()).isEqualTo(String.join("\n", lines) + "\n");
    }

    /** The batching appender named "test" of logback.xml's arrangement, started in front of {@code console}, on {@link #logger}. */
    private BatchingAsyncAppender batchingInFrontOf(BatchedConsoleAppender<ILoggingEvent> console, int maxDelayMillis) {
        BatchingAsyncAppender batching = new BatchingAsyncAppender();
        batching.setContext(context);
        batching.setName("test");
        batching.setMaxDelayMillis(maxDelayMillis);
        batching.addAppender(console);
        batching.start();
        logger().addAppender(batching);
        return batching;
    }

    private BatchedConsoleAppender<ILoggingEvent> console(boolean immediateFlush) {
        return configured(new BatchedConsoleAppender<>(), immediateFlush);
    }

    private BatchedConsoleAppender<ILoggingEvent> configured(BatchedConsoleAppender<ILoggingEvent> console, boolean immediateFlush) {
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

    /** Waits (seconds allowed for a loaded machine) until stderr has had {@code writes} writes of this test's lines. */
    private void awaitChunks(int writes) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (stderr.chunks().size() < writes && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
    }

    /** What reaches stderr, write by write (only this test's lines: anything else the JVM writes there is left out). */
    private static final class Stderr extends OutputStream {
        private final List<String> chunks = new ArrayList<>();

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            String chunk = new String(b, off, len, StandardCharsets.UTF_8);
            if (!chunk.startsWith("WARNING") && !chunk.startsWith("SLF4J")) {
                chunks.add(chunk);
            }
        }

        synchronized List<String> chunks() {
            return List.copyOf(chunks);
        }

        String text() {
            return String.join("", chunks());
        }
    }
}
