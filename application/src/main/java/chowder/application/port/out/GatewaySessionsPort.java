package chowder.application.port.out;

import chowder.domain.Instance;
import chowder.domain.SessionKey;

/** Administers sessions stored on a gateway. Blocking; off the forwarding path. */
public interface GatewaySessionsPort {
    /** Removes the session's history from the gateway; throws a {@code ChowderException} when the gateway refuses or is away. */
    void delete(Instance instance, SessionKey key);
}
