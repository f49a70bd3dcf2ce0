package chowder.adapter.openclaw;

import chowder.application.port.GatewayAnswerListener;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.Instance;
import chowder.domain.MemoryBudget;
import chowder.domain.TokenUsage;
import java.nio.ByteBuffer;
import java.util.Optional;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;

/**
 * A streaming call: the answer's chunks are cut into whole events, handed to the listener one at a time. The next
 * event is cut, and the next chunk demanded, only once the listener ran the previous event's {@code next}; a
 * {@code next} run from inside {@code onEvent} is a task queued behind it, not a nested call. The stream is announced
 * ({@code onStreamStart}) as soon as its headers are accepted, so that the client learns at once that it began.
 */
final class StreamExchange extends GatewayExchange {
    private final SseEventSplitter events;
    private final MemoryBudget.Hold hold;
    private Optional<TokenUsage> usage = Optional.empty();
    // Which event the listener holds (0: none), so that a late or repeated next cannot resume the stream twice.
    private long eventOut;
    private long delivered;

    StreamExchange(Instance instance, GatewayAnswerListener listener, Request request, GatewayLatency latency, int maxEventBytes,
            MemoryBudget.Hold hold) {
        super(instance, listener, request, latency);
        this.events = new SseEventSplitter(maxEventBytes, hold);
        this.hold = hold;
    }

    @Override
    void accepted(Response response) {
        String contentType = GatewayFailures.contentType(response, "");
        if (!contentType.startsWith("text/event-stream")) {
            throw new ChowderException(ErrorCode.GATEWAY_FAILED,
                    "Gateway error – it answered a streaming request with '" + contentType + "' instead of an event stream.");
        }
        listener.onStreamStart(response.getStatus(), contentType);
    }

    @Override
    boolean consume(ByteBuffer bytes) {
        ByteBuffer event = events.next(bytes);
        if (event == null) {
            return true;
        }
        if (usage.isEmpty()) {
            usage = ReportedUsage.ofCompletedEvent(event);
        }
        long number = ++delivered;
        eventOut = number;
        listener.onEvent(event, () -> run(() -> relayed(number)));
        return false;
    }

    @Override
    void contentEnded() {
        events.end();
        events.close();
        succeeded();
        listener.onStreamEnd(usage);
    }

    @Override
    void abandon() {
        // Only the hold, which is thread-safe: the splitter is the invoker's, and its buffer stops being counted.
        hold.close();
    }

    @Override
    void release() {
        events.close();
    }

    @Override
    boolean chunkInUse() {
        return eventOut != 0;
    }

    /** The listener is done with event {@code number}: its chunk or buffer may go, and the stream goes on. */
    private void relayed(long number) {
        if (eventOut != number) {
            return;
        }
        eventOut = 0;
        if (ended()) {
            releaseChunk();
            return;
        }
        events.relayed();
        pump();
    }
}
