package chowder.bootstrap;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import ch.qos.logback.core.spi.AppenderAttachable;
import ch.qos.logback.core.spi.AppenderAttachableImpl;
import java.io.Flushable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Hands events to its appenders on a background thread that writes them in batches, so that a request never waits on
 * stderr. Unlike logback's {@code AsyncAppender}, whose thread sleeps until an event signals it, this one looks for
 * events every {@link #setMaxDelayMillis max delay} (10 ms by default) and while a batch is being written: an event
 * costs its thread a queue insert, not a wake-up of another thread. With one client, logback's appender woke its thread
 * for every request's access line, between the gateway's answer and the client's (docs/perf.md, issue #20 step 7).
 * After each batch it flushes the appenders that are {@link Flushable}: a {@link BatchedConsoleAppender} then writes the
 * batch to stderr at once, one system call instead of one per line (step 8).
 *
 * <p>Nothing is dropped: a full queue ({@link #setQueueSize}, 8,192 by default) wakes the writer and makes the logging
 * thread wait. Stopping writes what is queued (logback's shutdown hook stops it when the JVM stops), waiting at most
 * {@link #setMaxFlushTimeMillis} (1 s by default, as logback's) for a stalled appender; a line queued once the writer
 * has finished is written by the thread that logged it. An appender that fails does not stop the writer, and should
 * the writer be gone all the same, each thread writes its own lines rather than wait on a queue nobody empties.
 */
public final class BatchingAsyncAppender extends UnsynchronizedAppenderBase<ILoggingEvent> implements AppenderAttachable<ILoggingEvent> {
    private static final int BATCH = 512;

    private final AppenderAttachableImpl<ILoggingEvent> appenders = new AppenderAttachableImpl<>();
    private int queueSize = 8192;
    private int maxDelayMillis = 10;
    private int maxFlushTimeMillis = 1_000;
    private ArrayBlockingQueue<ILoggingEvent> queue;
    private volatile boolean accepting;
    // Set by the writer once it has written its last batch: from then on a thread that logs writes its own line.
    private volatile boolean writerDone;
    private Thread writer;

    public void setQueueSize(int queueSize) {
        this.queueSize = queueSize;
    }

    public void setMaxDelayMillis(int maxDelayMillis) {
        this.maxDelayMillis = maxDelayMillis;
    }

    public void setMaxFlushTimeMillis(int maxFlushTimeMillis) {
        this.maxFlushTimeMillis = maxFlushTimeMillis;
    }

    @Override
    public void start() {
        if (isStarted()) {
            return;
        }
        if (!appenders.iteratorForAppenders().hasNext()) {
            addError("No appender attached to the batching appender \"" + getName() + "\"");
            return;
        }
        if (queueSize < 2 || maxDelayMillis < 1 || maxFlushTimeMillis < 0) {
            addError("queueSize must be at least 2, maxDelayMillis at least 1 and maxFlushTimeMillis not negative");
            return;
        }
        queue = new ArrayBlockingQueue<>(queueSize);
        accepting = true;
        writer = Thread.ofPlatform().daemon().name("log-writer-" + getName()).start(this::writeUntilStopped);
        super.start();
    }

    @Override
    protected void append(ILoggingEvent event) {
        if (!accepting) {
            return;
        }
        // What the writing thread reads later (the message, the thread's name and its MDC) is fixed now.
        event.prepareForDeferredProcessing();
        if (!queue.offer(event)) {
            // Full: the writer empties it at once, and this thread waits for room.
            LockSupport.unpark(writer);
            putUninterruptibly(event);
        }
        if (writerDone || !writer.isAlive()) {
            writeQueuedHere();
        }
    }

    private void putUninterruptibly(ILoggingEvent event) {
        boolean interrupted = false;
        while (true) {
            try {
                queue.put(event);
                break;
            } catch (InterruptedException e) {
                // The event is still written; the interrupt is kept for the caller.
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Writes what is queued on the calling thread, in order with any other thread doing the same. */
    private synchronized void writeQueuedHere() {
        boolean wrote = false;
        for (ILoggingEvent event = queue.poll(); event != null; event = queue.poll()) {
            write(event);
            wrote = true;
        }
        if (wrote) {
            flushAppenders();
        }
    }

    private void write(ILoggingEvent event) {
        try {
            appenders.appendLoopOnAppenders(event);
        } catch (Throwable e) {
            // Logging must not end the writer: a line lost is better than every thread that logs waiting forever.
            addError("An appender of \"" + getName() + "\" failed", e);
        }
    }

    /** Ends a batch: an appender that buffers its lines ({@link BatchedConsoleAppender}) writes them now, together. */
    private void flushAppenders() {
        for (Iterator<Appender<ILoggingEvent>> it = appenders.iteratorForAppenders(); it.hasNext(); ) {
            if (it.next() instanceof Flushable flushable) {
                try {
                    flushable.flush();
                } catch (Throwable e) {
                    // As for a failed line: the writer goes on (an Error here would end it).
                    addError("An appender of \"" + getName() + "\" failed to flush", e);
                }
            }
        }
    }

    private void writeUntilStopped() {
        List<ILoggingEvent> batch = new ArrayList<>(BATCH);
        while (true) {
            // An interrupt (an appender's stream may set one) would make every park below return at once.
            Thread.interrupted();
            boolean stopping = !accepting;
            queue.drainTo(batch, BATCH);
            if (batch.isEmpty()) {
                if (stopping) {
                    writerDone = true;
                    // A line queued between the last drain and the flag above: its thread saw no flag yet.
                    writeQueuedHere();
                    return;
                }
                LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(maxDelayMillis));
                continue;
            }
            batch.forEach(this::write);
            batch.clear();
            flushAppenders();
        }
    }

    @Override
    public void stop() {
        if (!isStarted()) {
            return;
        }
        super.stop();
        accepting = false;
        LockSupport.unpark(writer);
        // Stopping from an interrupted thread still waits for what is queued (as logback's AsyncAppender does).
        boolean interrupted = Thread.interrupted();
        try {
            writer.join(maxFlushTimeMillis);
        } catch (InterruptedException e) {
            interrupted = true;
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (!writer.isAlive()) {
            // Nothing left once the writer finished; what a writer that died left behind is written here.
            writeQueuedHere();
        } else {
            addWarn("The batching appender \"" + getName() + "\" stopped with " + queue.size() + " events unwritten after "
                    + maxFlushTimeMillis + " ms");
        }
        appenders.detachAndStopAllAppenders();
    }

    @Override
    public void addAppender(Appender<ILoggingEvent> appender) {
        appenders.addAppender(appender);
    }

    @Override
    public Iterator<Appender<ILoggingEvent>> iteratorForAppenders() {
        return appenders.iteratorForAppenders();
    }

    @Override
    public Appender<ILoggingEvent> getAppender(String name) {
        return appenders.getAppender(name);
    }

    @Override
    public boolean isAttached(Appender<ILoggingEvent> appender) {
        return appenders.isAttached(appender);
    }

    @Override
    public void detachAndStopAllAppenders() {
        appenders.detachAndStopAllAppenders();
    }

    @Override
    public boolean detachAppender(Appender<ILoggingEvent> appender) {
        return appenders.detachAppender(appender);
    }

    @Override
    public boolean detachAppender(String name) {
        return appenders.detachAppender(name);
    }
}
