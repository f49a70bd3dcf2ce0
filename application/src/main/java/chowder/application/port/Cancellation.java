package chowder.application.port;

import java.util.ArrayList;
import java.util.List;

/**
 * The client of a request went away: whoever waits on its behalf (a gateway call) registers how to
 * stop, and {@link #cancel()} stops it, once, from any thread. Unlike interrupting the request's
 * thread, it never disturbs unrelated blocking work such as database I/O.
 */
public final class Cancellation {
    private final List<Runnable> onCancel = new ArrayList<>();
    private boolean cancelled;

    /** A signal that is never raised, for work without a client to lose. */
    public static Cancellation none() {
        return new Cancellation();
    }

    /** Runs {@code action} on cancellation, or at once if the request was already cancelled. */
    public void onCancel(Runnable action) {
        synchronized (this) {
            if (!cancelled) {
                onCancel.add(action);
                return;
            }
        }
        action.run();
    }

    public void cancel() {
        List<Runnable> actions;
        synchronized (this) {
            if (cancelled) {
                return;
            }
            cancelled = true;
            actions = List.copyOf(onCancel);
            onCancel.clear();
        }
        actions.forEach(Runnable::run);
    }

    public synchronized boolean cancelled() {
        return cancelled;
    }
}
