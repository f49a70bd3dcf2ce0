package chowder.application.port;

import java.util.concurrent.CancellationException;

/**
 * Why Chowder itself ended unfinished work (a gateway call it closed, a read interest it withdrew): a routine event,
 * not an error, so it skips the stack walk that would cost more than the work it ends.
 */
public final class RoutineCancellation extends CancellationException {
    public RoutineCancellation(String why) {
        super(why);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }
}
