package chowder.adapter.http;

import chowder.application.port.in.SendResponseCommand;
import chowder.application.port.in.SendResponseUseCase;
import chowder.application.port.out.Cancellation;
import chowder.application.port.out.GatewayResponse;
import chowder.application.port.out.ResponseRequest;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.InstanceId;
import chowder.domain.SessionId;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import java.io.IOException;
import io.micrometer.core.instrument.MeterRegistry;

/** The two hosted endpoints that talk to an agent: the default session {@code main} and named sessions. */
final class ResponsesRoutes {
    static final String DEFAULT_SESSION = "/v1/instances/{id}/responses";
    static final String NAMED_SESSION = "/v1/instances/{id}/session/{session_id}/responses";

    private final SendResponseUseCase responses;
    private final ResponsesRequestReader requests;
    private final EventStreamRelay relay;

    ResponsesRoutes(SendResponseUseCase responses, JsonBodies bodies, ObjectMapper json, MeterRegistry registry) {
        this.responses = responses;
        this.requests = new ResponsesRequestReader(bodies);
        this.relay = new EventStreamRelay(json, registry);
    }

    void defaultSession(Context ctx) {
        send(ctx, SessionId.MAIN);
    }

    void namedSession(Context ctx) {
        send(ctx, SessionIdSegment.fromRequestPath(ctx.path()));
    }

    private void send(Context ctx, SessionId sessionId) {
        InstanceId instanceId = InstanceId.parse(ctx.pathParam("id"));
        Cancellation clientGone = new Cancellation();
        ResponseRequest request = requests.read(ctx, clientGone, RequestIds.of(ctx));
        SendResponseCommand command = new SendResponseCommand(Callers.of(ctx), instanceId, sessionId, request);
        // A client that hangs up cancels the request, which aborts the gateway call (and nothing else).
        GatewayResponse answer;
        try (ClientDisconnectWatch watch = ClientDisconnectWatch.start(ctx.req(), ctx.res(), clientGone::cancel)) {
            if (request.stream()) {
                relay.relay(responses.stream(command), ctx.res(), watch);
                return;
            }
            answer = responses.send(command);
        }
        // Only once the watch is withdrawn: a client that has its answer may send its next request at once.
        try (answer) {
            write(ctx, answer);
        }
    }

    /** Writes the answer straight to the response: handing Javalin a result would copy it through another buffer. */
    private static void write(Context ctx, GatewayResponse answer) {
        ctx.status(answer.status()).contentType(answer.contentType());
        ctx.res().setContentLength(answer.body().length);
        try {
            ctx.res().getOutputStream().write(answer.body());
        } catch (IOException clientGone) {
            // The only way writing a complete answer fails: the client closed its connection.
            throw new ChowderException(ErrorCode.REQUEST_CANCELLED, "The request was cancelled: the client went away.");
        }
    }
}
