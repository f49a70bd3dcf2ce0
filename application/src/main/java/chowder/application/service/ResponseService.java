package chowder.application.service;

import static java.util.Objects.requireNonNull;

import chowder.application.port.in.SendResponseCommand;
import chowder.application.port.in.SendResponseUseCase;
import chowder.application.port.out.AgentGatewayPort;
import chowder.application.port.out.GatewayResponse;
import chowder.application.port.out.LoadInstancePort;
import chowder.application.port.out.ResponseStream;
import chowder.domain.Caller;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.Instance;
import chowder.domain.Permission;
import chowder.domain.Session;
import chowder.domain.TokenUsage;
import java.time.Clock;
import java.util.Optional;

/**
 * Forwards a response request to the session of an instance of the caller's organization, in the
 * session's current generation, and notes the answered turn in the session registry.
 */
public final class ResponseService implements SendResponseUseCase {
    private final LoadInstancePort instances;
    private final AgentGatewayPort gateway;
    private final SessionRegistry sessions;
    private final UsageLimiter limiter;
    private final ModelRefusals refusals;
    private final Clock clock;

    /** Without budgets or rate limits. */
    public ResponseService(LoadInstancePort instances, AgentGatewayPort gateway, SessionRegistry sessions, Clock clock) {
        this(instances, gateway, sessions, UsageLimiter.unlimited(clock), new ModelRefusals(), clock);
    }

    /** @param refusals what Chowder's model endpoint refused an instance, to explain a turn its gateway could not finish */
    public ResponseService(LoadInstancePort instances, AgentGatewayPort gateway, SessionRegistry sessions, UsageLimiter limiter,
            ModelRefusals refusals, Clock clock) {
        this.instances = requireNonNull(instances, "instances is null");
        this.gateway = requireNonNull(gateway, "gateway is null");
        this.sessions = requireNonNull(sessions, "sessions is null");
        this.limiter = requireNonNull(limiter, "limiter is null");
        this.refusals = requireNonNull(refusals, "refusals is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    @Override
    public GatewayResponse send(SendResponseCommand command) {
        requireStream(command, false);
        Instance instance = runningInstance(command);
        Session session = sessions.resolve(instance.id(), command.sessionId(), clock.instant());
        long started = System.nanoTime();
        GatewayResponse answer;
        try {
            answer = gateway.createResponse(instance, session.key(), command.request());
        } catch (ChowderException e) {
            // A turn whose model call Chowder refused for a spent budget ends in the gateway's bare 500: say why instead.
            throw e.code() == ErrorCode.GATEWAY_FAILED ? refusals.since(instance.id(), started).<ChowderException>map(limit -> limit).orElse(e) : e;
        }
        try {
            recordTurn(command, instance, answer.usage());
        } catch (RuntimeException e) {
            answer.close();
            throw e;
        }
        return answer;
    }

    @Override
    public ResponseStream stream(SendResponseCommand command) {
        requireStream(command, true);
        Instance instance = runningInstance(command);
        Session session = sessions.resolve(instance.id(), command.sessionId(), clock.instant());
        ResponseStream stream = gateway.streamResponse(instance, session.key(), command.request());
        return new RecordedStream(stream, usage -> recordTurn(command, instance, usage));
    }

    private void recordTurn(SendResponseCommand command, Instance instance, Optional<TokenUsage> usage) {
        Caller caller = command.caller();
        TokenUsage used = usage.orElse(TokenUsage.NONE);
        sessions.recordTurn(command.instanceId(), command.sessionId(), caller.keyId(), used, clock.instant());
        // A provisioned gateway's model calls pass Chowder's model endpoint, which charges its organization already.
        limiter.chargeTurn(caller, instance.id(), command.sessionId(), used.totalTokens(), instance.provisioned());
    }

    /** The instance, if the caller may talk to it and the session, it runs, and no budget or rate of the turn is spent. */
    private Instance runningInstance(SendResponseCommand command) {
        Instance instance = VisibleInstances.find(instances, command.caller(), command.instanceId(), Permission.INTERACT);
        command.caller().requireSession(command.sessionId());
        instance.ensureRunning();
        limiter.admitTurn(command.caller(), instance.id(), command.sessionId());
        return instance;
    }

    private static void requireStream(SendResponseCommand command, boolean stream) {
        if (command.request().stream() != stream) {
            throw new IllegalArgumentException("use " + (stream ? "send" : "stream") + " for this request");
        }
    }

    /** A stream that records its turn once the gateway finished it. */
    private static final class RecordedStream implements ResponseStream {
        private final ResponseStream inner;
        private final java.util.function.Consumer<Optional<TokenUsage>> onEnd;
        private boolean recorded;

        RecordedStream(ResponseStream inner, java.util.function.Consumer<Optional<TokenUsage>> onEnd) {
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
