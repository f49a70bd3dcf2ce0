package chowder.adapter.http.model;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where ended model calls are charged: charging runs database transactions (a counter row locked for update), which
 * must not run on the HTTP client's callback threads that relay every answer. Each charge runs on a virtual thread of
 * its own, at most {@code concurrency} at once so that a burst of ends does not take every database connection.
 */
final class MeteringExecutor implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MeteringExecutor.class);

    private final ExecutorService threads = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("model-metering-", 0).factory());
    private final Semaphore database;

    MeteringExecutor(int concurrency) {
        this.database = new Semaphore(concurrency);
    }

    void execute(Runnable charge) {
        try {
            threads.execute(() -> {
                database.acquireUninterruptibly();
                try {
                    charge.run();
                } finally {
                    database.release();
                }
            });
        } catch (RejectedExecutionException e) {
            // A call that ends while the endpoint stops is still charged, on the thread that saw it end.
            charge.run();
        }
    }

    /** Waits (a little) for the charges under way: a stopping node still counts the calls that ended. */
    @Override
    public void close() {
        threads.shutdown();
        try {
            if (!threads.awaitTermination(10, TimeUnit.SECONDS)) {
                log.warn("Model calls were still being charged when the model endpoint stopped");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
