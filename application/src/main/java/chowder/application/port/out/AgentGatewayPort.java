package chowder.application.port.out;

import chowder.domain.Instance;
import chowder.domain.SessionKey;

/**
 * Sends a response request to an instance's agent gateway, in the given session. Blocking; it
 * answers with the gateway's successful response or throws a {@code ChowderException} whose code
 * says how the gateway failed (unavailable, credentials rejected, request rejected, failed, timeout).
 */
public interface AgentGatewayPort {
    GatewayResponse createResponse(Instance instance, SessionKey sessionKey, ResponseRequest request);
}
