package chowder.adapter.openclaw;

import static org.assertj.core.api.Assertions.assertThat;

import chowder.application.port.GatewayAnswerListener;
import chowder.application.port.GatewayResponse;
import chowder.domain.TokenUsage;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Hears a gateway answer for a test and checks the port's rules as it goes: one call at a time, no event before the
 * previous one's next ran, one end and nothing after it. Events are queued with their next, or, once {@link #atOnce}
 * was called, handed to a sink with next run from inside {@code onEvent}.
 */
final class RecordingListener implements GatewayAnswerListener {
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    record Started(int status, String contentType) {}

    record Event(byte[] bytes, Runnable next) {}

    record Answered(GatewayResponse answer) {}

    record Ended(Optional<TokenUsage> usage) {}

    record Failed(RuntimeException failure) {}

    final BlockingQueue<Object> heard = new LinkedBlockingQueue<>();
    final AtomicInteger deepest = new AtomicInteger();
    final AtomicInteger shallowest = new AtomicInteger(Integer.MAX_VALUE);
    private final List<String> broken = new CopyOnWriteArrayList<>();
    private final AtomicInteger inside = new AtomicInteger();
    private final AtomicBoolean eventOut = new AtomicBoolean();
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile Consumer<byte[]> sink;

    void atOnce(Consumer<byte[]> sink) {
        this.sink = sink;
    }

    /** The next call heard, which must be of {@code kind}; waits for it with generous patience. */
    <T> T take(Class<T> kind) throws InterruptedException {
        Object next = heard.poll(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(next).as("the next call heard").isInstanceOf(kind);
        return kind.cast(next);
    }

    void assertKeptTheRules() {
        assertThat(broken).isEmpty();
    }

    @Override
    public void onAnswer(GatewayResponse answer) {
        call(true, () -> heard.add(new Answered(answer)));
    }

    @Override
    public void onStreamStart(int status, String contentType) {
        call(false, () -> heard.add(new Started(status, contentType)));
    }

    @Override
    public void onEvent(ByteBuffer event, Runnable next) {
        call(false, () -> {
            if (!eventOut.compareAndSet(false, true)) {
                broken.add("an event came before the previous one's next ran");
            }
            byte[] bytes = new byte[event.remaining()];
            event.get(bytes);
            Runnable guarded = () -> {
                eventOut.set(false);
                next.run();
            };
            Consumer<byte[]> to = sink;
            if (to == null) {
                heard.add(new Event(bytes, guarded));
                return;
            }
            int depth = StackWalker.getInstance().walk(frames -> (int) frames.count());
            deepest.accumulateAndGet(depth, Math::max);
            shallowest.accumulateAndGet(depth, Math::min);
            to.accept(bytes);
            guarded.run();
        });
    }

    @Override
    public void onStreamEnd(Optional<TokenUsage> usage) {
        call(true, () -> heard.add(new Ended(usage)));
    }

    @Override
    public void onFailure(RuntimeException failure) {
        call(true, () -> heard.add(new Failed(failure)));
    }

    private void call(boolean end, Runnable body) {
        if (inside.incrementAndGet() != 1) {
            broken.add("two calls at once");
        }
        if (ended.get()) {
            broken.add("a call after the end");
        }
        if (end) {
            ended.set(true);
        }
        try {
            body.run();
        } finally {
            inside.decrementAndGet();
        }
    }
}
