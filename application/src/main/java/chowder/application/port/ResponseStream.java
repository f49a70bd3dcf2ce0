package chowder.application.port;

import chowder.domain.TokenUsage;
import java.util.Optional;

/**
 * A gateway's answer arriving as server-sent events, open until its last event. The caller reads
 * events one by one and must close it; closing before the end, or interrupting a thread blocked in
 * {@link #nextEvent()}, aborts the upstream call.
 */
public interface ResponseStream extends AutoCloseable {
    int status();

    String contentType();

    /**
     * Blocks for the next complete event, exactly the bytes the gateway sent, including the blank
     * line that ends it; null after the last one. A failure after the stream began throws a
     * {@code ChowderException} with a gateway error code; a partial event is never returned.
     */
    byte[] nextEvent();

    /** The usage the gateway reported in its final event, once {@link #nextEvent()} returned null. */
    default Optional<TokenUsage> usage() {
        return Optional.empty();
    }

    @Override
    void close();
}
