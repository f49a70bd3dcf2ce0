package chowder.application.port.in;

import static java.util.Objects.requireNonNull;

import chowder.domain.Caller;
import chowder.domain.GatewayToken;
import chowder.domain.Instance;
import chowder.domain.SessionId;
import chowder.domain.SessionKey;
import java.net.URI;

/**
 * Where one turn goes, once the caller may send it: the instance's gateway (its responses endpoint and token), the
 * session as the gateway knows it (its current generation, encoded), and who sends it, for recording the turn. Holds the
 * gateway token: it goes no further than the gateway adapter's request header.
 *
 * @param startedNanos {@link System#nanoTime()} when the turn was admitted (a refused model call since then explains a
 *     gateway failure)
 */
public record ForwardingTarget(Caller caller, Instance instance, SessionId sessionId, SessionKey sessionKey, long startedNanos) {
    public ForwardingTarget {
        requireNonNull(caller, "caller is null");
        requireNonNull(instance, "instance is null");
        requireNonNull(sessionId, "sessionId is null");
        requireNonNull(sessionKey, "sessionKey is null");
    }

    public URI responsesEndpoint() {
        return instance.gatewayUrl().responsesEndpoint();
    }

    public GatewayToken gatewayToken() {
        return instance.gatewayToken();
    }

    @Override
    public String toString() {
        return "ForwardingTarget[instance=" + instance.id() + ", session=" + sessionId + "]";
    }
}
