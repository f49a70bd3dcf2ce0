package chowder.adapter.http;

import chowder.application.port.out.ResponseStream;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Relays a gateway's event stream to the client event by event: each event is written and flushed
 * as soon as it arrives, never buffered. The stream always ends properly: if the gateway fails after
 * the first byte was sent, the client gets a {@code response.failed} event in the gateway's own shape,
 * then {@code data: [DONE]}. A client that goes away closes the stream, which aborts the upstream call.
 */
final class EventStreamRelay {
    private static final Logger log = LoggerFactory.getLogger(EventStreamRelay.class);
    private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DONE_LINE = "data: [DONE]".getBytes(StandardCharsets.US_ASCII);
    // Compared as bytes: decoding every relayed event to a String only to look at its first line cost an allocation each.
    private static final List<byte[]> FINAL_EVENTS = Stream.of("response.completed", "response.failed", "response.incomplete")
            .map(type -> ("event: " + type).getBytes(StandardCharsets.US_ASCII)).toList();
    // An SSE comment: event stream clients skip it (what the disconnect watch probes a half-closed client with).
    private static final byte[] COMMENT = ":\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final String OPEN_STREAMS_METRIC = "chowder.http.open.streams";

    private final ObjectMapper json;
    // Held here: the registry keeps only a weak reference to a gauge's object.
    private final AtomicInteger openStreams = new AtomicInteger();

    EventStreamRelay(ObjectMapper json, MeterRegistry registry) {
        this.json = json;
        Gauge.builder(OPEN_STREAMS_METRIC, openStreams, AtomicInteger::get)
                .description("Event streams being relayed to clients right now")
                .register(registry);
    }

    /** Every write to the client goes through {@code watch}, which may probe the client between them. */
    void relay(ResponseStream gatewayStream, HttpServletResponse clientResponse, ClientDisconnectWatch watch) {
        openStreams.incrementAndGet();
        try (gatewayStream) {
            ServletOutputStream client = clientResponse.getOutputStream();
            watch.write(() -> {
                clientResponse.setStatus(gatewayStream.status());
                clientResponse.setContentType(gatewayStream.contentType());
                clientResponse.setHeader("Cache-Control", "no-cache");
                // Tells nginx (and proxies that copy it) not to buffer this answer.
                clientResponse.setHeader("X-Accel-Buffering", "no");
                client.flush();
                watch.answerStarted(() -> send(client, COMMENT));
            });
            relayEvents(gatewayStream, client, watch);
        } catch (IOException clientGone) {
            log.debug("Client went away during a stream; the gateway call is aborted");
        } finally {
            openStreams.decrementAndGet();
        }
    }

    private void relayEvents(ResponseStream gatewayStream, ServletOutputStream client, ClientDisconnectWatch watch) throws IOException {
        boolean finished = false;
        boolean done = false;
        try {
            byte[] event;
            // Read to the very end (past [DONE]) so that the stream's usage is known when it is recorded.
            while ((event = gatewayStream.nextEvent()) != null) {
                byte[] next = event;
                watch.write(() -> send(client, next));
                done |= isDone(event);
                finished |= isFinal(event);
            }
            if (done) {
                return;
            }
            if (!finished) {
                writeFailure(client, watch, "Gateway error – the stream ended before the response completed.");
            }
        } catch (ChowderException e) {
            if (e.code() == ErrorCode.REQUEST_CANCELLED || done) {
                return;
            }
            log.warn("Gateway stream failed after it began: {}", e.getMessage());
            if (!finished) {
                writeFailure(client, watch, e.getMessage());
            }
        }
        watch.write(() -> send(client, DONE));
    }

    private static void send(ServletOutputStream client, byte[] bytes) throws IOException {
        client.write(bytes);
        client.flush();
    }

    private void writeFailure(ServletOutputStream client, ClientDisconnectWatch watch, String message) throws IOException {
        ObjectNode failed = json.createObjectNode().put("type", "response.failed");
        ObjectNode response = failed.putObject("response")
                .put("id", "resp_" + UUID.randomUUID().toString().replace("-", ""))
                .put("object", "response")
                .put("created_at", System.currentTimeMillis() / 1000)
                .put("status", "failed")
                .put("model", "openclaw");
        response.putArray("output");
        response.putObject("usage").put("input_tokens", 0).put("output_tokens", 0).put("total_tokens", 0);
        response.putObject("error").put("code", "api_error").put("message", message);
        byte[] event = ("event: response.failed\ndata: " + json.writeValueAsString(failed) + "\n\n").getBytes(StandardCharsets.UTF_8);
        watch.write(() -> send(client, event));
    }

    private static boolean isDone(byte[] event) {
        int start = 0;
        int end = event.length;
        while (start < end && isWhitespace(event[start])) {
            start++;
        }
        while (end > start && isWhitespace(event[end - 1])) {
            end--;
        }
        return Arrays.equals(event, start, end, DONE_LINE, 0, DONE_LINE.length);
    }

    /** An event after which the gateway sends only {@code [DONE]}: the response is complete or failed. */
    private static boolean isFinal(byte[] event) {
        for (byte[] prefix : FINAL_EVENTS) {
            if (event.length >= prefix.length && Arrays.equals(event, 0, prefix.length, prefix, 0, prefix.length)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isWhitespace(byte b) {
        return b == ' ' || b == '\t' || b == '\n' || b == '\r';
    }
}
