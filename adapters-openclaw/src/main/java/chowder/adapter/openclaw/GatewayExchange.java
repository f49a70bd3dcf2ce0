package chowder.adapter.openclaw;

import chowder.application.port.Cancellation;
import chowder.application.port.GatewayAnswerListener;
import chowder.application.port.RoutineCancellation;
import chowder.domain.ChowderException;
import chowder.domain.Instance;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.CyclicTimeouts;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.util.thread.Invocable;
import org.eclipse.jetty.util.thread.SerializedInvoker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One call to a gateway, from its request until the listener's one terminal call, without any thread waiting for it.
 * Jetty's events, the headers timer, the request's cancellation and the listener's {@code next} all run as tasks of
 * one {@link SerializedInvoker}: the listener hears one call at a time, and a task started by another task (a
 * {@code next} run from inside {@code onEvent}, a demand met at once) runs after it returns instead of inside it, so
 * that the invoker's loop is the trampoline and the stack stays flat however many events a chunk holds; the call's
 * state needs no lock. Content is read with demand: a chunk is asked for once the last one is used up, never earlier.
 * A subclass consumes a 2xx answer; a non-2xx answer's first 64 KiB become the failure. The hops are named as in
 * Jetty's {@code ProxyHandler}: this class sends the {@code gatewayRequest} and reads the {@code gatewayResponse}; the
 * listener writes the client's.
 */
abstract class GatewayExchange implements Response.Listener, CyclicTimeouts.Expirable {
    private static final int MAX_ERROR_BODY_BYTES = 64 * 1024;
    private static final Logger log = LoggerFactory.getLogger(GatewayExchange.class);
    // The HTTP adapter's key for the client request's id in the logging context.
    private static final String REQUEST_ID_MDC_KEY = "request_id";

    final Instance instance;
    final GatewayAnswerListener listener;
    private final Request gatewayRequest;
    private final GatewayLatency latency;
    private final SerializedInvoker invoker = new SerializedInvoker(GatewayExchange.class);
    // Never waits (see GatewayHttpClients): Jetty may run it on the I/O thread that found the content, without a hand-off.
    private final Runnable demanded = Invocable.from(Invocable.InvocationType.NON_BLOCKING, () -> run(this::pump));
    // Set by start(), before the request is sent and so before any task runs.
    private long startNanos;
    private Optional<String> requestId = Optional.empty();
    // Set by start(): the headers' deadline, and who keeps it.
    private HeadersDeadlines headersDeadlines;
    private Duration headersTimeout;
    private long headersDeadline;
    // Touched by the invoker's tasks only.
    private boolean headersSeen;
    private boolean ended;
    private Response gatewayResponse;
    private Content.Source source;
    private Content.Chunk chunk;
    private ByteArrayOutputStream errorBody;

    GatewayExchange(Instance instance, GatewayAnswerListener listener, Request request, GatewayLatency latency) {
        this.instance = instance;
        this.listener = listener;
        this.gatewayRequest = request;
        this.latency = latency;
    }

    /** Sends the request (made for {@code endpoint}); the answer, a failure or the cancellation ends the call. */
    final void start(GatewayDestinations destinations, URI endpoint, HeadersDeadlines deadlines, Duration headersTimeout,
            Cancellation cancellation, Optional<String> requestId) {
        this.requestId = requestId;
        startNanos = System.nanoTime();
        this.headersDeadlines = deadlines;
        this.headersTimeout = headersTimeout;
        // At most 73 years ahead (saturated, not overflowing, first): nanoTime arithmetic is exact for spans under 2^62 ns.
        headersDeadline = startNanos + Math.min(TimeUnit.NANOSECONDS.convert(headersTimeout), Long.MAX_VALUE / 4);
        deadlines.await(this);
        try {
            destinations.send(endpoint, gatewayRequest, this);
        } catch (RuntimeException e) {
            // Not even sent (a defect, or a client being stopped): the listener still hears exactly one end.
            run(() -> end(e));
            return;
        }
        // The client went away: end the call now, even when Jetty already has the whole answer and an abort would be a
        // no-op. The memory goes back at once, as the canceller returns: the call's own turn may be queued behind a task.
        cancellation.onCancel(() -> {
            abandon();
            run(() -> failBecause(new CancellationException("the client went away")));
        });
    }

    @Override
    public final long getExpireNanoTime() {
        return headersDeadline;
    }

    /** The headers did not come in time (called by the deadlines' timer): the call ends, unless they came meanwhile. */
    final void headersTimedOut() {
        run(() -> {
            if (!headersSeen) {
                failBecause(new GatewayFailures.HeadersTimeout(headersTimeout));
            }
        });
    }

    /** 2xx headers without a content coding arrived; throwing ends the call with the exception. */
    abstract void accepted(Response response);

    /** Consumes answer bytes; false while it waits for the listener, which resumes reading with {@link #pump()}. */
    abstract boolean consume(ByteBuffer bytes);

    /** The answer's content ended (it was all consumed); the subclass ends the call. */
    abstract void contentEnded();

    /** The call failed: give back what the answer held. */
    abstract void release();

    /** The request was cancelled: give back what the answer holds, unless the listener has it; called on any thread. */
    abstract void abandon();

    /** Whether the listener still reads a view of the current chunk, which then must not be released yet. */
    boolean chunkInUse() {
        return false;
    }

    @Override
    public final void onHeaders(Response response) {
        run(() -> headers(response));
    }

    @Override
    public final void onContentSource(Response response, Content.Source source) {
        run(() -> {
            this.source = source;
            pump();
        });
    }

    @Override
    public final void onFailure(Response response, Throwable failure) {
        run(() -> failBecause(failure));
    }

    @Override
    public final void onComplete(Result result) {
        // A request that failed before any response may not be told as a response failure; after headers, one always is.
        if (result.isFailed()) {
            run(() -> {
                if (!headersSeen) {
                    failBecause(result.getFailure());
                }
            });
        }
    }

    /**
     * Runs {@code task} as the invoker's next task, under the request's id in the logging context (its log lines and the
     * listener's are the client request's); an exception it throws ends the call with that exception.
     */
    final void run(Runnable task) {
        invoker.run(() -> {
            String outer = MDC.get(REQUEST_ID_MDC_KEY);
            requestId.ifPresent(id -> MDC.put(REQUEST_ID_MDC_KEY, id));
            try {
                task.run();
            } catch (RuntimeException e) {
                if (ended) {
                    // Only the listener runs after the end: its defect, which the call can no longer report to it.
                    log.warn("The listener of a gateway answer of instance {} failed after the answer ended", instance.id(), e);
                } else {
                    end(e);
                }
            } finally {
                if (outer == null) {
                    MDC.remove(REQUEST_ID_MDC_KEY);
                } else {
                    MDC.put(REQUEST_ID_MDC_KEY, outer);
                }
            }
        });
    }

    final boolean ended() {
        return ended;
    }

    /** Marks the call ended by its answer (the subclass tells the listener). */
    final void succeeded() {
        ended = true;
        cancelHeadersTimer();
    }

    /** Reads and consumes chunks until the content ends, {@link #consume} waits, or no chunk is ready (then demands one). */
    final void pump() {
        while (!ended) {
            if (chunk != null) {
                if (!(errorBody != null ? consumeError(chunk.getByteBuffer()) : consume(chunk.getByteBuffer())) || ended) {
                    return;
                }
                boolean last = chunk.isLast();
                releaseChunk();
                if (last) {
                    if (errorBody != null) {
                        end(GatewayFailures.ofStatus(instance, gatewayResponse, errorBody.toByteArray()));
                    } else {
                        contentEnded();
                    }
                    return;
                }
            }
            Content.Chunk read = source.read();
            if (read == null) {
                source.demand(demanded);
                return;
            }
            if (Content.Chunk.isFailure(read)) {
                failBecause(read.getFailure());
                return;
            }
            chunk = read;
        }
    }

    /**
     * The chunk being consumed, retained: its buffer stays valid until the caller releases it (the call still gives back
     * its own hold on it); null when the chunk cannot be retained.
     */
    final Content.Chunk retainChunk() {
        if (!chunk.canRetain()) {
            return null;
        }
        chunk.retain();
        return chunk;
    }

    /** Gives the current chunk back to Jetty, whose buffer may then be reused. */
    final void releaseChunk() {
        if (chunk != null) {
            chunk.release();
            chunk = null;
        }
    }

    private void headers(Response response) {
        if (ended || HttpStatus.isInterim(response.getStatus())) {
            return;
        }
        headersSeen = true;
        cancelHeadersTimer();
        this.gatewayResponse = response;
        int status = response.getStatus();
        latency.record(instance.id(), GatewayLatency.Outcome.ofStatus(status), startNanos);
        if (status < 200 || status >= 300) {
            errorBody = new ByteArrayOutputStream();
            return;
        }
        GatewayFailures.requireNoContentCoding(response);
        accepted(response);
    }

    /** Keeps the start of an error body; the call fails once the body ended or enough of it is kept. */
    private boolean consumeError(ByteBuffer bytes) {
        int kept = Math.min(bytes.remaining(), MAX_ERROR_BODY_BYTES - errorBody.size());
        byte[] part = new byte[kept];
        bytes.get(part);
        errorBody.writeBytes(part);
        if (errorBody.size() >= MAX_ERROR_BODY_BYTES) {
            end(GatewayFailures.ofStatus(instance, gatewayResponse, errorBody.toByteArray()));
            return false;
        }
        return true;
    }

    /** Ends the call for a cause from Jetty, the headers timer or the cancellation, unless it already ended. */
    private void failBecause(Throwable cause) {
        if (!ended) {
            end(headersSeen ? GatewayFailures.midAnswer(cause) : GatewayFailures.beforeAnswer(instance, cause));
        }
    }

    /** Ends the call with {@code failure}: the exchange is aborted (the gateway sees its connection close) and all is given back. */
    private void end(RuntimeException failure) {
        if (ended) {
            return;
        }
        ended = true;
        cancelHeadersTimer();
        if (!headersSeen) {
            latency.record(instance.id(), failure instanceof ChowderException e ? GatewayLatency.Outcome.of(e.code())
                    : GatewayLatency.Outcome.FAILED, startNanos);
        }
        // A no-op for an exchange that already completed or failed.
        gatewayRequest.abort(new RoutineCancellation("closed by Chowder before the gateway finished"));
        errorBody = null;
        try {
            release();
        } finally {
            // A view the listener still reads keeps its chunk until its next runs.
            if (!chunkInUse()) {
                releaseChunk();
            }
        }
        listener.onFailure(failure);
    }

    private void cancelHeadersTimer() {
        headersDeadlines.done(this);
    }
}
