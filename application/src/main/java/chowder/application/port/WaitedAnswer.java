package chowder.application.port;

import chowder.application.port.Cancellation;
import chowder.application.port.GatewayAnswerListener;
import chowder.application.port.GatewayResponse;
import chowder.application.port.ResponseStream;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.TokenUsage;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An answer waited for by a thread: the blocking forms of the gateway port and of the responses use case, on top of
 * their relay. Holds at most one event at a time, asking for the next only when the reader wants it, as a relay writing
 * to a client would.
 */
public final class WaitedAnswer implements GatewayAnswerListener {
    private final Cancellation cancellation;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    // Guarded by lock.
    private GatewayResponse whole;
    private boolean started;
    private int status;
    private String contentType;
    private byte[] event;
    private Runnable next;
    private boolean handedOut;
    // The waiting thread gave up (interrupted): a whole answer that still arrives is closed at once.
    private boolean abandoned;
    private boolean ended;
    private Optional<TokenUsage> usage = Optional.empty();
    private RuntimeException failure;

    public WaitedAnswer(Cancellation cancellation) {
        this.cancellation = cancellation;
    }

    /** Waits for the whole answer of a non-streaming request; a failure is thrown. */
    public GatewayResponse whole() {
        lock.lock();
        try {
            try {
                awaitUntil(() -> whole != null || failure != null || started);
            } catch (ChowderException cancelled) {
                abandoned = true;
                if (whole != null) {
                    whole.close();
                }
                throw cancelled;
            }
            if (whole == null) {
                throw failure != null ? failure : new IllegalStateException("a stream answered a non-streaming request");
            }
            return whole;
        } finally {
            lock.unlock();
        }
    }

    /** Waits for a stream to start; a failure before it is thrown. */
    public ResponseStream stream() {
        lock.lock();
        try {
            awaitUntil(() -> started || failure != null || whole != null);
            if (!started) {
                if (whole != null) {
                    whole.close();
                    throw new IllegalStateException("a whole answer came to a streaming request");
                }
                throw failure;
            }
            return new Stream(status, contentType);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void onAnswer(GatewayResponse answer) {
        signal(() -> {
            if (abandoned) {
                answer.close();
            }
            whole = answer;
        });
    }

    @Override
    public void onStreamStart(int status, String contentType) {
        signal(() -> {
            this.status = status;
            this.contentType = contentType;
            started = true;
        });
    }

    @Override
    public void onEvent(ByteBuffer bytes, Runnable next) {
        byte[] copy = new byte[bytes.remaining()];
        bytes.get(copy);
        signal(() -> {
            event = copy;
            this.next = next;
        });
    }

    @Override
    public void onStreamEnd(Optional<TokenUsage> usage) {
        signal(() -> {
            this.usage = usage;
            ended = true;
        });
    }

    @Override
    public void onFailure(RuntimeException failure) {
        signal(() -> this.failure = failure);
    }

    private void signal(Runnable change) {
        lock.lock();
        try {
            change.run();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Waits (lock held) until {@code done}; an interrupt cancels the request and is a cancellation. */
    private void awaitUntil(java.util.function.BooleanSupplier done) {
        while (!done.getAsBoolean()) {
            try {
                changed.await();
            } catch (InterruptedException e) {
                lock.unlock();
                try {
                    cancellation.cancel();
                } finally {
                    lock.lock();
                }
                throw new ChowderException(ErrorCode.REQUEST_CANCELLED, "The request was cancelled: the client went away.");
            }
        }
    }

    /** The events of a started stream, read by one thread. */
    private final class Stream implements ResponseStream {
        private final int status;
        private final String contentType;

        Stream(int status, String contentType) {
            this.status = status;
            this.contentType = contentType;
        }

        @Override
        public int status() {
            return status;
        }

        @Override
        public String contentType() {
            return contentType;
        }

        @Override
        public byte[] nextEvent() {
            Runnable askForNext = null;
            lock.lock();
            try {
                // The event handed out last time has been relayed by now: drop it and ask for the one after it.
                if (handedOut) {
                    askForNext = next;
                    next = null;
                    event = null;
                    handedOut = false;
                }
            } finally {
                lock.unlock();
            }
            if (askForNext != null) {
                askForNext.run();
            }
            lock.lock();
            try {
                awaitUntil(() -> event != null || ended || failure != null);
                if (event != null) {
                    handedOut = true;
                    return event;
                }
                if (failure != null) {
                    throw failure;
                }
                return null;
            } finally {
                lock.unlock();
            }
        }

        @Override
        public Optional<TokenUsage> usage() {
            lock.lock();
            try {
                return usage;
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void close() {
            boolean finished;
            Runnable held;
            lock.lock();
            try {
                finished = ended || failure != null;
                held = next;
                next = null;
                event = null;
            } finally {
                lock.unlock();
            }
            if (!finished) {
                cancellation.cancel();
            }
            // The event still held is done with: its buffer goes back to the gateway adapter.
            if (held != null) {
                held.run();
            }
        }
    }
}
