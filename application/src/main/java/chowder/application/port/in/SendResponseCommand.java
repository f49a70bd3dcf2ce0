package chowder.application.port.in;

import static java.util.Objects.requireNonNull;

import chowder.application.port.ResponseRequest;
import chowder.domain.Caller;
import chowder.domain.InstanceId;
import chowder.domain.SessionId;

/** Send {@code request} to session {@code sessionId} of instance {@code instanceId} on behalf of {@code caller}. */
public record SendResponseCommand(Caller caller, InstanceId instanceId, SessionId sessionId, ResponseRequest request) {
    public SendResponseCommand {
        requireNonNull(caller, "caller is null");
        requireNonNull(instanceId, "instanceId is null");
        requireNonNull(sessionId, "sessionId is null");
        requireNonNull(request, "request is null");
    }
}
