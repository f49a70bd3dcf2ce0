package chowder.application.port.in;

import chowder.domain.Caller;
import chowder.domain.InstanceId;
import chowder.domain.SessionId;

/** Where and whether a turn goes: the first half of forwarding, before any byte moves. */
public interface ResolveForwardingUseCase {
    /**
     * The target of a turn of {@code caller} in session {@code sessionId} of instance {@code instanceId}: the instance is
     * the caller's organization's (else not found), the caller may interact with it and the session, it runs, and no budget
     * or rate of the turn is spent (each a {@code ChowderException} saying which).
     */
    ForwardingTarget resolve(Caller caller, InstanceId instanceId, SessionId sessionId);
}
