package chowder.bootstrap;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import ch.qos.logback.core.spi.AppenderAttachable;
import ch.qos.logback.core.spi.AppenderAttachableImpl;
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
 *
 * <p>Nothing is dropped: a full queue ({@link #setQueueSize}, 8,192 by default) makes the logging thread wait, and a
 * queue half full wakes the writer at once. Stopping writes what is queued (logback's shutdown hook stops it when the
 * JVM stops), waiting at most {@link #setMaxFlushTimeMillis} (10 s by default) for a stalled appender.
 */
public final class BatchingAsyncAppender extends UnsynchronizedAppenderBase<ILoggingEvent> implements AppenderAttachable<ILoggingEvent> {
    private static final int BATCH = 512;

    private final AppenderAttachableImpl<ILoggingEvent> appenders = new AppenderAttachableImpl<>();
    private int queueSize = 8192;
    private int maxDelayMillis = 10;
    private int maxFlushTimeMillis = 10_000;
    private ArrayBlockingQueue<ILoggingEvent> queue;
    private volatile boolean accepting;
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
        if (queue.remainingCapacity() < queueSize / 2) {
            LockSupport.unpark(writer);
        }
    }

    private void writeUntilStopped() {
        List<ILoggingEvent> batch = new ArrayList<>(BATCH);
        while (true) {
            boolean stopping = !accepting;
            queue.drainTo(batch, BATCH);
            if (batch.isEmpty()) {
                if (stopping) {
                    return;
                }
                LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(maxDelayMillis));
                continue;
            }
            for (ILoggingEvent event : batch) {
                try {
                    appenders.appendLoopOnAppenders(event);
                } catch (RuntimeException e) {
                    addError("An appender of \"" + getName() + "\" failed", e);
                }
            }
            batch.clear();
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
        try {
            writer.join(maxFlushTimeMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (writer.isAlive()) {
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
