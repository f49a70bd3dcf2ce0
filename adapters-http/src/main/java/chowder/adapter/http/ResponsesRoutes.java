package chowder.adapter.http;

import chowder.application.port.in.SendResponseCommand;
import chowder.application.port.in.SendResponseUseCase;
import chowder.application.port.out.Cancellation;
import chowder.application.port.out.GatewayResponse;
import chowder.application.port.out.ResponseRequest;
import chowder.domain.ChowderException;
import chowder.domain.InstanceId;
import chowder.domain.SessionId;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Optional;

/** The two hosted endpoints that talk to an agent: the default session {@code main} and named sessions. */
final class ResponsesRoutes {
    static final String DEFAULT_SESSION = "/v1/instances/{id}/responses";
    static final String NAMED_SESSION = "/v1/instances/{id}/session/{session_id}/responses";

    private final SendResponseUseCase responses;
    private final JsonBodies bodies;
    private final ObjectMapper json;
    private final EventStreamRelay relay;

    ResponsesRoutes(SendResponseUseCase responses, JsonBodies bodies, ObjectMapper json, MeterRegistry registry) {
        this.responses = responses;
        this.bodies = bodies;
        this.json = json;
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
        ResponseRequest request = toRequest(bodies.readObject(ctx), clientGone, RequestIds.of(ctx));
        SendResponseCommand command = new SendResponseCommand(Callers.of(ctx), instanceId, sessionId, request);
        // A client that hangs up cancels the request, which aborts the gateway call (and nothing else).
        try (ClientDisconnectWatch watch = ClientDisconnectWatch.start(ctx.req(), ctx.res(), clientGone::cancel)) {
            if (request.stream()) {
                relay.relay(responses.stream(command), ctx.res());
            } else {
                GatewayResponse answer = responses.send(command);
                ctx.status(answer.status()).contentType(answer.contentType()).result(answer.body());
            }
        }
    }

    private ResponseRequest toRequest(ObjectNode body, Cancellation cancellation, String requestId) {
        if (!body.hasNonNull("input")) {
            throw ChowderException.invalidRequest("input is required: a string or a list of OpenResponses input items.");
        }
        JsonNode model = body.remove("model");
        if (model != null && !model.isNull() && !model.isTextual()) {
            throw ChowderException.invalidRequest("model must be a string.");
        }
        JsonNode stream = body.get("stream");
        if (stream != null && !stream.isNull() && !stream.isBoolean()) {
            throw ChowderException.invalidRequest("stream must be true or false.");
        }
        try {
            return new ResponseRequest(Optional.ofNullable(model).filter(JsonNode::isTextual).map(JsonNode::asText),
                    stream != null && stream.asBoolean(), json.writeValueAsBytes(body), cancellation, Optional.of(requestId));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a parsed JSON tree always serialises", e);
        }
    }
}
