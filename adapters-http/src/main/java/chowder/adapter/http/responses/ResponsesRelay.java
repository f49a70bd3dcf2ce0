package chowder.adapter.http.responses;

import static java.util.Objects.requireNonNull;

import chowder.adapter.http.BearerAuthentication;
import chowder.adapter.http.ErrorResponses;
import chowder.adapter.http.JsonBodies;
import chowder.adapter.http.observability.RequestLog;
import chowder.application.port.in.SendResponseUseCase;
import chowder.domain.MemoryBudget;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The two hosted endpoints that talk to an agent, {@value ResponsesRoute#DEFAULT_SESSION} and
 * {@value ResponsesRoute#NAMED_SESSION}, on Jetty core in front of Javalin: the hot path skips the servlet layer and
 * the router, and no thread waits while the agent works ({@link ResponseExchange}). Every other request goes on to
 * Javalin. Authentication, request ids, error answers, metrics and the access log are the ones Javalin's routes use.
 */
public final class ResponsesRelay extends Handler.Wrapper {
    /** The routes it answers, which Javalin must know too (for its 405s and its list of routes). */
    public static final String DEFAULT_SESSION_ROUTE = ResponsesRoute.DEFAULT_SESSION;
    public static final String NAMED_SESSION_ROUTE = ResponsesRoute.NAMED_SESSION;
    private static final String OPEN_STREAMS_METRIC = "chowder.http.open.streams";

    // What each exchange uses, read by it directly.
    final SendResponseUseCase responses;
    final BearerAuthentication authentication;
    final ResponsesRequestReader requests;
    final ErrorResponses errors;
    final RequestLog requestLog;
    final StreamEvents events;
    // How long a body answered before it was read is still read and dropped (UnreadBodyDrain); zero: not at all.
    final java.time.Duration refusedBodyLinger;
    // Held here: the registry keeps only a weak reference to a gauge's object.
    final AtomicInteger openStreams = new AtomicInteger();
    // A turn's body is held until its answer is written: a gateway that never answers would otherwise let one tenant's
    // turns fill the heap every tenant shares.
    final MemoryBudget heldBodies;

    public ResponsesRelay(SendResponseUseCase responses, BearerAuthentication authentication, JsonBodies bodies, ErrorResponses errors,
            RequestLog requestLog, ObjectMapper json, MeterRegistry registry, java.time.Duration refusedBodyLinger, MemoryBudget heldBodies) {
        this.responses = requireNonNull(responses, "responses is null");
        this.authentication = requireNonNull(authentication, "authentication is null");
        this.requests = new ResponsesRequestReader(requireNonNull(bodies, "bodies is null"));
        this.errors = requireNonNull(errors, "errors is null");
        this.requestLog = requireNonNull(requestLog, "requestLog is null");
        this.events = new StreamEvents(requireNonNull(json, "json is null"));
        this.refusedBodyLinger = requireNonNull(refusedBodyLinger, "refusedBodyLinger is null");
        this.heldBodies = requireNonNull(heldBodies, "heldBodies is null");
        Gauge.builder(OPEN_STREAMS_METRIC, openStreams, AtomicInteger::get)
                .description("Event streams being relayed to clients right now")
                .register(registry);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        ResponsesRoute route = HttpMethod.POST.is(request.getMethod()) ? ResponsesRoute.match(request.getHttpURI().getPath()) : null;
        if (route == null) {
            return super.handle(request, response, callback);
        }
        new ResponseExchange(this, route, request, response, callback).start();
        return true;
    }
}
