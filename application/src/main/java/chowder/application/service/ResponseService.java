package chowder.application.service;

import chowder.application.port.GatewayResponse;
import chowder.application.port.ResponseStream;
import chowder.application.port.GatewayAnswerListener;
import static java.util.Objects.requireNonNull;

import chowder.application.port.in.ForwardingTarget;
import chowder.application.port.in.SendResponseCommand;
import chowder.application.port.in.SendResponseUseCase;
import chowder.application.port.out.AgentGatewayPort;
import chowder.application.port.out.LoadInstancePort;
import chowder.domain.ChowderException;
import chowder.domain.TokenUsage;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Forwards a response request through the blocking gateway port: the turn's target from {@link TurnService}, the
 * gateway's answer, then the turn recorded.
 */
public final class ResponseService implements SendResponseUseCase {
    private final TurnService turns;
    private final AgentGatewayPort gateway;

    public ResponseService(TurnService turns, AgentGatewayPort gateway) {
        this.turns = requireNonNull(turns, "turns is null");
        this.gateway = requireNonNull(gateway, "gateway is null");
    }

    /** Without budgets or rate limits. */
    public ResponseService(LoadInstancePort instances, AgentGatewayPort gateway, SessionRegistry sessions, Clock clock) {
        this(instances, gateway, sessions, UsageLimiter.unlimited(clock), new ModelRefusals(), clock);
    }

    public ResponseService(LoadInstancePort instances, AgentGatewayPort gateway, SessionRegistry sessions, UsageLimiter limiter,
            ModelRefusals refusals, Clock clock) {
        this(new TurnService(instances, sessions, limiter, refusals, clock), gateway);
    }

    @Override
    public void relay(SendResponseCommand command, GatewayAnswerListener listener) {
        ForwardingTarget target = resolve(command);
        gateway.relayResponse(target.instance(), target.sessionKey(), command.request(), new RecordingListener(target, listener));
    }

    @Override
    public GatewayResponse send(SendResponseCommand command) {
        requireStream(command, false);
        ForwardingTarget target = resolve(command);
        GatewayResponse answer;
        try {
            answer = gateway.createResponse(target.instance(), target.sessionKey(), command.request());
        } catch (ChowderException e) {
            throw turns.explain(target, e);
        }
        try {
            turns.recordTurn(target, answer.usage());
        } catch (RuntimeException e) {
            answer.close();
            throw e;
        }
        return answer;
    }

    @Override
    public ResponseStream stream(SendResponseCommand command) {
        requireStream(command, true);
        ForwardingTarget target = resolve(command);
        ResponseStream stream = gateway.streamResponse(target.instance(), target.sessionKey(), command.request());
        return new RecordedStream(stream, usage -> turns.recordTurn(target, usage));
    }

    private ForwardingTarget resolve(SendResponseCommand command) {
        return turns.resolve(command.caller(), command.instanceId(), command.sessionId());
    }

    private static void requireStream(SendResponseCommand command, boolean stream) {
        if (command.request().stream() != stream) {
            throw new IllegalArgumentException("use " + (stream ? "send" : "stream") + " for this request");
        }
    }

    /** Records the turn before the whole answer or the stream's end is passed on, and explains a failed call. */
    private final class RecordingListener implements GatewayAnswerListener {
        private final ForwardingTarget target;
        private final GatewayAnswerListener next;
        private boolean started;

        RecordingListener(ForwardingTarget target, GatewayAnswerListener next) {
            this.target = target;
            this.next = next;
        }

        @Override
        public void onAnswer(GatewayResponse answer) {
            try {
                turns.recordTurn(target, answer.usage());
            } catch (RuntimeException e) {
                answer.close();
                next.onFailure(e);
                return;
            }
            next.onAnswer(answer);
        }

        @Override
        public void onStreamStart(int status, String contentType) {
            started = true;
            next.onStreamStart(status, contentType);
        }

        @Override
        public void onEvent(ByteBuffer event, Runnable askForNext) {
            next.onEvent(event, askForNext);
        }

        @Override
        public void onStreamEnd(Optional<TokenUsage> usage) {
            try {
                turns.recordTurn(target, usage);
            } catch (RuntimeException e) {
                next.onFailure(e);
                return;
            }
            next.onStreamEnd(usage);
        }

        @Override
        public void onFailure(RuntimeException failure) {
            // A failed stream is not explained: its client already has the gateway's status and some events.
            next.onFailure(started || !(failure instanceof ChowderException gatewayFailure) ? failure : turns.explain(target, gatewayFailure));
        }
    }

    /** A stream that records its turn once the gateway finished it. */
    private static final class RecordedStream implements ResponseStream {
        private final ResponseStream inner;
        private final Consumer<Optional<TokenUsage>> onEnd;
        private boolean recorded;

        RecordedStream(ResponseStream inner, Consumer<Optional<TokenUsage>> onEnd) {
            this.inner = inner;
            this.onEnd = onEnd;
        }

        @Override
        public int status() {
            return inner.status();
        }

        @Override
        public String contentType() {
            return inner.contentType();
        }

        @Override
        public byte[] nextEvent() {
            byte[] event = inner.nextEvent();
            if (event == null && !recorded) {
                recorded = true;
                onEnd.accept(inner.usage());
            }
            return event;
        }

        @Override
        public Optional<TokenUsage> usage() {
            return inner.usage();
        }

        @Override
        public void close() {
            inner.close();
        }
    }
}
