package chowder.adapter.openclaw;

import java.util.concurrent.CancellationException;

/** Why an unfinished exchange was aborted: a routine event, hence no stack trace. */
final class ClosedByChowder extends CancellationException {
    ClosedByChowder() {
        super("closed by Chowder before the gateway finished");
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }
}
