package chowder.adapter.openclaw.provisioner.sandbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Starts the processes that must die with Chowder (bubblewrap's {@code --die-with-parent}, pasta under
 * {@code setpriv --pdeathsig}) from one platform thread that lives as long as Chowder. Linux sends the parent-death
 * signal when the <em>thread</em> that forked the child ends, not the process: started from a virtual thread's carrier
 * or a pooled thread, a sandbox would be killed whenever the JVM retired that thread.
 */
public final class ProcessLauncher {
    private static final ExecutorService THREAD = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "sandbox-process-launcher");
        thread.setDaemon(true);
        return thread;
    });

    private ProcessLauncher() {}

    /** Starts {@code builder}'s process on the launcher thread; blocks until it has started. */
    public static Process start(ProcessBuilder builder) throws IOException {
        Future<Process> started = THREAD.submit(builder::start);
        try {
            return started.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof UncheckedIOException unchecked) {
                throw unchecked.getCause();
            }
            throw new IOException("cannot start " + builder.command().get(0), e.getCause());
        } catch (InterruptedException e) {
            // The start takes milliseconds and cannot be called off: wait for it, so that no process is left untracked.
            while (true) {
                try {
                    started.get().destroyForcibly();
                    break;
                } catch (InterruptedException again) {
                    // still waiting
                } catch (ExecutionException failed) {
                    break;
                }
            }
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting " + builder.command().get(0), e);
        }
    }
}
