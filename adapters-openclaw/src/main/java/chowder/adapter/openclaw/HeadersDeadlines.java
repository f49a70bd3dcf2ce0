package chowder.adapter.openclaw;

import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.io.CyclicTimeouts;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * The deadline of every gateway call still waiting for its answer's headers, kept by one timer (Jetty's
 * {@link CyclicTimeouts}, as its client keeps request timeouts) instead of a timer per call: scheduling and cancelling a
 * task per call took the scheduler's lock and woke its thread once or twice a call. The timer is set again only for a
 * deadline earlier than the one it waits for, and calls have one timeout, so a call costs a set insertion and removal;
 * when the timer fires, the calls still waiting are scanned.
 */
final class HeadersDeadlines extends CyclicTimeouts<GatewayExchange> {
    private final Set<GatewayExchange> waiting = ConcurrentHashMap.newKeySet();

    HeadersDeadlines(Scheduler scheduler) {
        super(scheduler);
    }

    /** The call waits for its headers until its {@link GatewayExchange#getExpireNanoTime() deadline}. */
    void await(GatewayExchange exchange) {
        waiting.add(exchange);
        schedule(exchange);
    }

    /** The call no longer waits (its headers came, or it ended). */
    void done(GatewayExchange exchange) {
        waiting.remove(exchange);
    }

    /** How many calls wait for headers now (for tests). */
    int waiting() {
        return waiting.size();
    }

    @Override
    protected Iterator<GatewayExchange> iterator() {
        return waiting.iterator();
    }

    @Override
    protected boolean onExpired(GatewayExchange exchange) {
        exchange.headersTimedOut();
        return true;
    }
}
