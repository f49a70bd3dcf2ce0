package chowder.application.service;

import static java.util.Objects.requireNonNull;

import chowder.application.port.in.ForwardingTarget;
import chowder.application.port.in.RecordTurnUseCase;
import chowder.application.port.in.ResolveForwardingUseCase;
import chowder.application.port.out.LoadInstancePort;
import chowder.domain.Caller;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.Instance;
import chowder.domain.InstanceId;
import chowder.domain.Permission;
import chowder.domain.Session;
import chowder.domain.SessionId;
import chowder.domain.TokenUsage;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * Decides where and whether a turn goes (an instance of the caller's organization that runs, the session in its current
 * generation, within every budget and rate) and records it once answered. Moves no bytes: whoever forwards does.
 */
public final class TurnService implements ResolveForwardingUseCase, RecordTurnUseCase {
    private final LoadInstancePort instances;
    private final SessionRegistry sessions;
    private final UsageLimiter limiter;
    private final ModelRefusals refusals;
    private final Clock clock;

    /** @param refusals what Chowder's model endpoint refused an instance, to explain a turn its gateway could not finish */
    public TurnService(LoadInstancePort instances, SessionRegistry sessions, UsageLimiter limiter, ModelRefusals refusals, Clock clock) {
        this.instances = requireNonNull(instances, "instances is null");
        this.sessions = requireNonNull(sessions, "sessions is null");
        this.limiter = requireNonNull(limiter, "limiter is null");
        this.refusals = requireNonNull(refusals, "refusals is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    @Override
    public ForwardingTarget resolve(Caller caller, InstanceId instanceId, SessionId sessionId) {
        return admit(caller, instanceId, sessionId).target();
    }

    /** A turn let through, with the limits it was admitted under: those it is charged to once answered. */
    record AdmittedTurn(ForwardingTarget target, List<LimitSubject> limits) {
        /** Whether recording it with {@code usage} writes a shared counter (else it touches memory only, and never waits). */
        boolean recordingWrites(Optional<TokenUsage> usage) {
            return UsageLimiter.chargeWritesCounters(limits, usage.orElse(TokenUsage.NONE).totalTokens(), target.instance().provisioned());
        }
    }

    AdmittedTurn admit(Caller caller, InstanceId instanceId, SessionId sessionId) {
        Instance instance = VisibleInstances.find(instances, caller, instanceId, Permission.INTERACT);
        caller.requireSession(sessionId);
        instance.ensureRunning();
        List<LimitSubject> limits = limiter.admitTurn(caller, instance.id(), sessionId);
        Session session = sessions.resolve(instance.id(), sessionId, clock.instant());
        return new AdmittedTurn(new ForwardingTarget(caller, instance, sessionId, session.key(), System.nanoTime()), limits);
    }

    /** Records an admitted turn: its session's activity, and its tokens charged to the budgets it was admitted under. */
    void record(AdmittedTurn turn, Optional<TokenUsage> usage) {
        TokenUsage used = usage.orElse(TokenUsage.NONE);
        ForwardingTarget target = turn.target();
        sessions.recordTurn(target.instance().id(), target.sessionId(), target.caller().keyId(), used, clock.instant());
        limiter.chargeTurn(turn.limits(), used.totalTokens(), target.instance().provisioned());
    }

    @Override
    public void recordTurn(ForwardingTarget target, Optional<TokenUsage> usage) {
        // Without its admission at hand: charged to the limits the turn is under now.
        record(new AdmittedTurn(target, limiter.limitsOfTurn(target.caller(), target.instance().id(), target.sessionId())), usage);
    }

    @Override
    public ChowderException explain(ForwardingTarget target, ChowderException failure) {
        if (failure.code() != ErrorCode.GATEWAY_FAILED) {
            return failure;
        }
        return refusals.since(target.instance().id(), target.startedNanos()).<ChowderException>map(limit -> limit).orElse(failure);
    }
}
