package chowder.application.port;

import chowder.domain.TokenUsage;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * Hears a gateway's answer as it arrives, on whichever thread the gateway adapter delivers it, one call at a time. A
 * call ends in exactly one of {@link #onAnswer}, {@link #onStreamEnd} or {@link #onFailure}.
 */
public interface GatewayAnswerListener {
    /** A non-streaming request's whole successful answer, already checked; the listener closes it once written. */
    void onAnswer(GatewayResponse answer);

    /** A streaming request was accepted (a 2xx event stream): events follow. */
    void onStreamStart(int status, String contentType);

    /**
     * The next whole event, exactly the bytes the gateway sent with the blank line that ends it (never part of one). The
     * buffer is valid until {@code next} runs; running it asks for the event after this one.
     */
    void onEvent(ByteBuffer event, Runnable next);

    /** The stream ended properly, with the usage its final event reported. */
    void onStreamEnd(Optional<TokenUsage> usage);

    /**
     * The call failed: a {@code ChowderException} with a gateway error code (or {@code REQUEST_CANCELLED} once the
     * request's cancellation was raised, or {@code OVERLOADED}; anything else is a defect): before {@link #onAnswer} or {@link #onStreamStart}, the call as a whole did;
     * after {@link #onStreamStart}, the stream broke and no event follows.
     */
    void onFailure(RuntimeException failure);
}
