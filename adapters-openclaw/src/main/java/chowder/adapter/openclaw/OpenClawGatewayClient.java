package chowder.adapter.openclaw;

import static java.util.Objects.requireNonNull;

import chowder.application.port.out.AgentGatewayPort;
import chowder.application.port.out.GatewayResponse;
import chowder.application.port.out.ResponseRequest;
import chowder.application.port.out.ResponseStream;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.GatewayRejectedException;
import chowder.domain.Instance;
import chowder.domain.SessionKey;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.client.ByteBufferRequestContent;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.InputStreamResponseListener;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards response requests to {@code {gateway_url}/v1/responses} with the gateway token as bearer
 * and the session in {@code x-openclaw-session-key}, and maps the gateway's failures to Chowder's
 * errors. Messages never contain the token; redirects are never followed.
 */
final class OpenClawGatewayClient implements AgentGatewayPort {
    /**
     * What a tenant learns when its gateway cannot be used: one message whether the address refused, closed, timed out
     * connecting, spoke something other than HTTP or answered 401/403, so that registering addresses cannot map which
     * ports are open or run an HTTP server with authentication. The precise cause goes to the operator's log.
     */
    static final String UNREACHABLE = "Gateway unavailable – the gateway could not be reached or did not accept Chowder's credentials.";
    static final String SESSION_KEY_HEADER = "x-openclaw-session-key";
    static final String MODEL_HEADER = "x-openclaw-model";
    static final String REQUEST_ID_HEADER = "x-request-id";
    private static final int MAX_ERROR_BODY_BYTES = 64 * 1024;
    private static final int MAX_ERROR_MESSAGE_LENGTH = 500;
    // First buffer of an answer without Content-Length; it doubles from there.
    private static final int INITIAL_BODY_BUFFER_BYTES = 16 * 1024;
    static final String BUFFERED_BYTES_METRIC = "chowder.gateway.buffered";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Logger log = LoggerFactory.getLogger(OpenClawGatewayClient.class);

    private final HttpClient http;
    private final OpenClawGatewayConfig config;
    private final GatewayLatency latency;
    private final BufferedBytes bufferedBytes;

    OpenClawGatewayClient(HttpClient http, OpenClawGatewayConfig config, MeterRegistry registry) {
        this.http = requireNonNull(http, "http is null");
        this.config = requireNonNull(config, "config is null");
        this.latency = new GatewayLatency(registry);
        this.bufferedBytes = new BufferedBytes(config.bufferedBytesMax());
        io.micrometer.core.instrument.Gauge.builder(BUFFERED_BYTES_METRIC, bufferedBytes, BufferedBytes::total)
                .description("Bytes of gateway answers held in memory right now, against CHOWDER_GATEWAY_BUFFERED_BYTES_MAX")
                .baseUnit("bytes")
                .register(registry);
    }

    @Override
    public GatewayResponse createResponse(Instance instance, SessionKey sessionKey, ResponseRequest request) {
        Exchange exchange = open(instance, sessionKey, request, "application/json");
        BufferedBytes.Hold hold = bufferedBytes.open(instance.organizationId());
        try (InputStream content = exchange.listener.getInputStream()) {
            int status = exchange.response.getStatus();
            if (status < 200 || status >= 300) {
                throw failure(instance, exchange.response, readError(content));
            }
            requireNoContentCoding(exchange.response);
            byte[] body = readBody(content, exchange.response, hold);
            GatewayResponse answer = new GatewayResponse(status, contentType(exchange.response, "application/json"), body,
                    ReportedUsage.ofResponse(body), hold::close);
            hold = null;
            return answer;
        } catch (IOException e) {
            throw midAnswerFailure(e);
        } finally {
            // Unless the answer took it over: an answer that was refused or failed holds nothing any more.
            if (hold != null) {
                hold.close();
            }
            exchange.abortIfUnfinished();
        }
    }

    @Override
    public ResponseStream streamResponse(Instance instance, SessionKey sessionKey, ResponseRequest request) {
        Exchange exchange = open(instance, sessionKey, request, "text/event-stream");
        try {
            int status = exchange.response.getStatus();
            InputStream content = exchange.listener.getInputStream();
            if (status < 200 || status >= 300) {
                throw failure(instance, exchange.response, readError(content));
            }
            requireNoContentCoding(exchange.response);
            String contentType = contentType(exchange.response, "");
            if (!contentType.startsWith("text/event-stream")) {
                throw new ChowderException(ErrorCode.GATEWAY_FAILED,
                        "Gateway error – it answered a streaming request with '" + contentType + "' instead of an event stream.");
            }
            SseEventReader events = new SseEventReader(content, (int) config.maxResponseBytes(), bufferedBytes.open(instance.organizationId()));
            return new GatewayEventStream(exchange, events, status, contentType);
        } catch (IOException | RuntimeException e) {
            exchange.abortIfUnfinished();
            throw e instanceof IOException io ? midAnswerFailure(io) : (RuntimeException) e;
        }
    }

    /** Sends the request and waits for the response headers. */
    private Exchange open(Instance instance, SessionKey sessionKey, ResponseRequest request, String accept) {
        Request gatewayRequest = http.newRequest(instance.gatewayUrl().responsesEndpoint())
                .method(HttpMethod.POST)
                .timeout(config.totalTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .idleTimeout(config.idleTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .headers(headers -> {
                    headers.put(HttpHeader.AUTHORIZATION, "Bearer " + instance.gatewayToken().value());
                    headers.put(HttpHeader.ACCEPT, accept);
                    headers.put(SESSION_KEY_HEADER, sessionKey.value());
                    OpenClawRequestBody.modelHeader(request.model()).ifPresent(model -> headers.put(MODEL_HEADER, model));
                    request.requestId().ifPresent(id -> headers.put(REQUEST_ID_HEADER, id));
                })
                .body(new ByteBufferRequestContent("application/json", OpenClawRequestBody.withOpenClawModel(request.otherFields())));
        InputStreamResponseListener listener = new InputStreamResponseListener();
        long start = System.nanoTime();
        gatewayRequest.send(listener);
        // The client went away: abort the exchange, which also wakes whoever waits on it.
        request.cancellation().onCancel(() -> gatewayRequest.abort(new CancellationException("the client went away")));
        try {
            Response response = listener.get(config.headersTimeout().toMillis(), TimeUnit.MILLISECONDS);
            latency.record(instance.id(), GatewayLatency.Outcome.ofStatus(response.getStatus()), start);
            return new Exchange(gatewayRequest, listener, response);
        } catch (TimeoutException e) {
            gatewayRequest.abort(e);
            latency.record(instance.id(), GatewayLatency.Outcome.TIMEOUT, start);
            throw timeout("did not start answering within " + config.headersTimeout().toSeconds() + " s");
        } catch (ExecutionException e) {
            ChowderException failure = beforeAnswerFailure(instance, e.getCause());
            latency.record(instance.id(), GatewayLatency.Outcome.of(failure.code()), start);
            throw failure;
        } catch (InterruptedException | CancellationException e) {
            gatewayRequest.abort(e);
            latency.record(instance.id(), GatewayLatency.Outcome.CANCELLED, start);
            throw cancelled();
        }
    }

    /** One request in flight and its response listener. */
    record Exchange(Request request, InputStreamResponseListener listener, Response response) {
        void abortIfUnfinished() {
            // A no-op for a request that already completed (the usual case, hence no stack trace); otherwise the
            // gateway sees the connection close.
            request.abort(new ClosedByChowder());
        }
    }

    /** Why an unfinished exchange was aborted. */
    private static final class ClosedByChowder extends CancellationException {
        ClosedByChowder() {
            super("closed by Chowder before the gateway finished");
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }

    /** The events of one streaming answer. */
    private static final class GatewayEventStream implements ResponseStream {
        private final Exchange exchange;
        private final SseEventReader events;
        private final int status;
        private final String contentType;
        private Optional<chowder.domain.TokenUsage> usage = Optional.empty();

        GatewayEventStream(Exchange exchange, SseEventReader events, int status, String contentType) {
            this.exchange = exchange;
            this.events = events;
            this.status = status;
            this.contentType = contentType;
        }

        @Override
        public int status() {
            return status;
        }

        @Override
        public String contentType() {
            return contentType;
        }

        @Override
        public byte[] nextEvent() {
            try {
                byte[] event = events.next();
                if (event != null && usage.isEmpty()) {
                    usage = ReportedUsage.ofCompletedEvent(event);
                }
                return event;
            } catch (IOException e) {
                throw midAnswerFailure(e);
            }
        }

        @Override
        public Optional<chowder.domain.TokenUsage> usage() {
            return usage;
        }

        @Override
        public void close() {
            events.close();
            exchange.abortIfUnfinished();
        }
    }

    private ChowderException failure(Instance instance, Response gatewayResponse, byte[] body) {
        int status = gatewayResponse.getStatus();
        if (status == 401 || status == 403) {
            log.warn("The gateway of instance {} answered {}: the instance's gateway_token is wrong or was rotated on the gateway",
                    instance.id(), status);
            return new ChowderException(ErrorCode.GATEWAY_CREDENTIALS_REJECTED, UNREACHABLE);
        }
        if (status >= 400 && status < 500) {
            return new GatewayRejectedException(status, errorMessage(body, status),
                    Optional.ofNullable(gatewayResponse.getHeaders().get(HttpHeader.RETRY_AFTER)));
        }
        if (status >= 300 && status < 400) {
            return new ChowderException(ErrorCode.GATEWAY_FAILED,
                    "Gateway error – it answered a redirect (" + status + "), which Chowder does not follow; check the instance's gateway_url.");
        }
        return new ChowderException(ErrorCode.GATEWAY_FAILED, "Gateway error – it answered " + status + ": " + errorMessage(body, status));
    }

    /**
     * Chowder sends no {@code Accept-Encoding} and decodes nothing, so that answers are relayed byte for byte; a
     * gateway that compresses anyway (RFC 9110 §12.5.3 allows it) would hand the client bytes it cannot read.
     */
    private static void requireNoContentCoding(Response gatewayResponse) {
        String coding = gatewayResponse.getHeaders().get(HttpHeader.CONTENT_ENCODING);
        if (coding != null && !coding.isBlank() && !coding.strip().equalsIgnoreCase("identity")) {
            throw new ChowderException(ErrorCode.GATEWAY_FAILED, "Gateway error – it answered with Content-Encoding '"
                    + shortened(coding.strip()) + "', which Chowder did not ask for and does not decode.");
        }
    }

    private static String shortened(String text) {
        return text.length() > 40 ? text.substring(0, 40) + "…" : text;
    }

    private static byte[] readError(InputStream content) throws IOException {
        return content.readNBytes(MAX_ERROR_BODY_BYTES);
    }

    /**
     * Reads a whole answer under the per-answer limit, counting each buffer against the shared bound before it is
     * allocated (a declared {@code Content-Length} at once, otherwise as the buffer doubles), so that answers beyond
     * the bound are refused instead of exhausting the heap.
     */
    private byte[] readBody(InputStream content, Response gatewayResponse, BufferedBytes.Hold hold) throws IOException {
        int limit = (int) config.maxResponseBytes();
        long declared = gatewayResponse.getHeaders().getLongField(HttpHeader.CONTENT_LENGTH);
        if (declared > limit) {
            throw tooLarge(limit);
        }
        int capacity = declared >= 0 ? (int) declared : Math.min(INITIAL_BODY_BUFFER_BYTES, limit);
        hold.grow(capacity);
        byte[] buffer = new byte[capacity];
        int length = 0;
        while (true) {
            if (length == buffer.length) {
                int next = content.read();
                if (next < 0) {
                    return buffer;
                }
                if (length >= limit) {
                    throw tooLarge(limit);
                }
                buffer = resize(buffer, (int) Math.min(limit, Math.max(INITIAL_BODY_BUFFER_BYTES, 2L * buffer.length)), length, hold);
                buffer[length++] = (byte) next;
            }
            int read = content.read(buffer, length, buffer.length - length);
            if (read < 0) {
                return length == buffer.length ? buffer : resize(buffer, length, length, hold);
            }
            length += read;
        }
    }

    private static byte[] resize(byte[] buffer, int capacity, int length, BufferedBytes.Hold hold) {
        // Both arrays live while the bytes are copied: count the new one before, the old one until after.
        hold.grow(capacity);
        byte[] resized = java.util.Arrays.copyOf(buffer, capacity);
        hold.shrink(buffer.length);
        return resized;
    }

    private static ChowderException tooLarge(long limit) {
        return new ChowderException(ErrorCode.GATEWAY_FAILED, "Gateway error – its answer is larger than the limit of " + limit + " bytes.");
    }

    private static String contentType(Response response, String otherwise) {
        return Optional.ofNullable(response.getHeaders().get(HttpHeader.CONTENT_TYPE)).orElse(otherwise);
    }

    /** The gateway's own message ({@code error.message}, or {@code message}), else its body, shortened. */
    private static String errorMessage(byte[] body, int status) {
        String text = new String(body, StandardCharsets.UTF_8).strip();
        try {
            JsonNode json = JSON.readTree(text);
            JsonNode message = json.path("error").path("message");
            if (message.isMissingNode()) {
                message = json.path("message");
            }
            if (message.isTextual() && !message.asText().isBlank()) {
                text = message.asText();
            }
        } catch (IOException notJson) {
            // Not JSON: the body text itself is the best message there is.
        }
        if (text.isEmpty()) {
            return "HTTP " + status;
        }
        return text.length() > MAX_ERROR_MESSAGE_LENGTH ? text.substring(0, MAX_ERROR_MESSAGE_LENGTH) + "…" : text;
    }

    /** A failure before any response arrived: the gateway could not be reached or did not speak HTTP. */
    private static ChowderException beforeAnswerFailure(Instance instance, Throwable cause) {
        if (cause instanceof TimeoutException) {
            return timeout("did not answer in time");
        }
        if (cause instanceof CancellationException || cause instanceof InterruptedException) {
            return cancelled();
        }
        if (cause instanceof PolicyCheckingResolver.ForbiddenGatewayAddressException) {
            // Chowder's own rule, also enforced at registration: it says nothing about what listens at the address.
            return new ChowderException(ErrorCode.GATEWAY_UNAVAILABLE,
                    "Gateway unavailable – its host resolves to an address outside the allowed networks.");
        }
        String reason = switch (cause) {
            case org.eclipse.jetty.http.BadMessageException e -> "its answer is not valid HTTP";
            case org.eclipse.jetty.client.HttpResponseException e -> "its answer is not valid HTTP";
            case java.net.ConnectException e -> "the connection was refused";
            case java.net.SocketTimeoutException e -> "the connection timed out";
            case java.net.UnknownHostException e -> "its host name does not resolve";
            case java.net.NoRouteToHostException e -> "there is no route to its host";
            case java.io.EOFException e -> "it closed the connection without answering";
            case javax.net.ssl.SSLException e -> "TLS failed";
            case null, default -> "the connection failed";
        };
        // The cause's own text (no token: that travels only in a header) helps the operator, never the tenant.
        log.warn("The gateway of instance {} could not be reached: {} ({})", instance.id(), reason, describe(cause));
        return new ChowderException(ErrorCode.GATEWAY_UNAVAILABLE, UNREACHABLE);
    }

    /** A failure's class and message for the operator's log, shortened: Jetty's messages can dump a whole connection. */
    static String describe(Throwable failure) {
        if (failure == null) {
            return "no cause";
        }
        String text = failure.toString();
        return text.length() > 300 ? text.substring(0, 300) + "…" : text;
    }

    /** A failure while the answer's body was arriving. */
    private static ChowderException midAnswerFailure(IOException e) {
        if (e instanceof java.io.InterruptedIOException && !(e instanceof java.net.SocketTimeoutException)
                || e.getCause() instanceof InterruptedException || e.getCause() instanceof CancellationException) {
            return cancelled();
        }
        if (e.getCause() instanceof TimeoutException) {
            return timeout("went silent or ran past the time limit while answering");
        }
        return new ChowderException(ErrorCode.GATEWAY_FAILED, "Gateway error – the connection broke while it was answering.");
    }

    private static ChowderException timeout(String what) {
        return new ChowderException(ErrorCode.GATEWAY_TIMEOUT, "Gateway timeout – the instance's gateway " + what + ".");
    }

    private static ChowderException cancelled() {
        Thread.interrupted();
        return new ChowderException(ErrorCode.REQUEST_CANCELLED, "The request was cancelled: the client went away.");
    }
}
