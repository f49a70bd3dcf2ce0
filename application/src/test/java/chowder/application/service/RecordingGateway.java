package chowder.application.service;

import chowder.application.port.out.AgentGatewayPort;
import chowder.application.port.out.GatewayResponse;
import chowder.application.port.out.ResponseRequest;
import chowder.domain.Instance;
import chowder.domain.SessionKey;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.List;

/** A fake gateway that records what it was sent and answers with a fixed body (or a set failure). */
public final class RecordingGateway implements AgentGatewayPort {
    public record Call(Instance instance, SessionKey sessionKey, ResponseRequest request) {}

    public final List<Call> calls = new CopyOnWriteArrayList<>();
    /** When set, every call fails with it, as a failing gateway adapter would. */
    public volatile RuntimeException failure;

    @Override
    public GatewayResponse createResponse(Instance instance, SessionKey sessionKey, ResponseRequest request) {
        calls.add(new Call(instance, sessionKey, request));
        if (failure != null) {
            throw failure;
        }
        return new GatewayResponse(200, "application/json", "{\"object\":\"response\"}".getBytes(StandardCharsets.UTF_8));
    }
}
