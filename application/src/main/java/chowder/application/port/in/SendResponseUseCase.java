package chowder.application.port.in;

import chowder.application.port.GatewayAnswerListener;
import chowder.application.port.GatewayResponse;
import chowder.application.port.ResponseStream;
import chowder.application.port.WaitedAnswer;

/** Sends a response request to a session of an instance and hands back the gateway's answer. */
public interface SendResponseUseCase {
    /**
     * Forwards without waiting: a turn that may not go throws here (not found, not running, over a budget, …); otherwise
     * {@code listener} hears the answer as it arrives, the turn already recorded when the whole answer or the stream's
     * end reaches it. What the forwarding path uses.
     */
    void relay(SendResponseCommand command, GatewayAnswerListener listener);

    /**
     * For a request without {@code "stream": true}, waiting (in-process callers): the whole answer, which the caller
     * closes once it is written.
     */
    default GatewayResponse send(SendResponseCommand command) {
        requireStream(command, false);
        WaitedAnswer answer = new WaitedAnswer(command.request().cancellation());
        relay(command, answer);
        return answer.whole();
    }

    /** For a request with {@code "stream": true}, waiting (in-process callers): the open event stream, which the caller closes. */
    default ResponseStream stream(SendResponseCommand command) {
        requireStream(command, true);
        WaitedAnswer answer = new WaitedAnswer(command.request().cancellation());
        relay(command, answer);
        return answer.stream();
    }

    private static void requireStream(SendResponseCommand command, boolean stream) {
        if (command.request().stream() != stream) {
            throw new IllegalArgumentException("use " + (stream ? "send" : "stream") + " for this request");
        }
    }
}
