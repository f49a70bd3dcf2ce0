package chowder.application.port.out;

import chowder.domain.Instance;
import chowder.domain.SessionKey;

/**
 * Sends response requests to an instance's agent gateway, in the given session. Blocking; a failure
 * is a {@code ChowderException} whose code says how the gateway failed (unavailable, credentials
 * rejected, request rejected, failed, timeout), or that its answer found no room in memory (overloaded).
 * Interrupting the calling thread aborts the upstream call, so the gateway stops the agent run.
 */
public interface AgentGatewayPort {
    /** A non-streaming request: the gateway's whole successful answer, which the caller closes once it is written. */
    GatewayResponse createResponse(Instance instance, SessionKey sessionKey, ResponseRequest request);

    /** A streaming request: returns as soon as the gateway accepted it (2xx headers); events follow. */
    ResponseStream streamResponse(Instance instance, SessionKey sessionKey, ResponseRequest request);
}
