package chowder.application.port.out;

import chowder.application.port.GatewayAnswerListener;
import chowder.application.port.GatewayResponse;
import chowder.application.port.ResponseRequest;
import chowder.application.port.ResponseStream;
import chowder.application.port.WaitedAnswer;
import chowder.domain.Instance;
import chowder.domain.SessionKey;

/**
 * Sends response requests to an instance's agent gateway, in the given session. A failure is a {@code ChowderException}
 * whose code says how the gateway failed (unavailable, credentials rejected, request rejected, failed, timeout), or that
 * its answer found no room in memory (overloaded). Raising the request's cancellation aborts the upstream call, so
 * that the gateway stops the agent run.
 */
public interface AgentGatewayPort {
    /**
     * Starts the call and returns at once: {@code listener} hears the answer as it arrives, without any thread waiting
     * for it. A streaming request ({@code request.stream()}) is answered event by event, any other with its whole answer.
     */
    void relayResponse(Instance instance, SessionKey sessionKey, ResponseRequest request, GatewayAnswerListener listener);

    /**
     * A non-streaming request, waiting: the gateway's whole successful answer, which the caller closes once it is
     * written. Interrupting the waiting thread cancels the request.
     */
    default GatewayResponse createResponse(Instance instance, SessionKey sessionKey, ResponseRequest request) {
        WaitedAnswer answer = new WaitedAnswer(request.cancellation());
        relayResponse(instance, sessionKey, request, answer);
        return answer.whole();
    }

    /**
     * A streaming request, waiting: returns as soon as the gateway accepted it (2xx headers); events follow, each read
     * by a waiting thread. Interrupting it, or closing the stream before its end, cancels the request.
     */
    default ResponseStream streamResponse(Instance instance, SessionKey sessionKey, ResponseRequest request) {
        WaitedAnswer answer = new WaitedAnswer(request.cancellation());
        relayResponse(instance, sessionKey, request, answer);
        return answer.stream();
    }
}
