package chowder.application.service;

import static java.util.Objects.requireNonNull;

import chowder.application.port.GatewayAnswerListener;
import chowder.application.port.GatewayResponse;
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
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Forwards a response request through the gateway port: the turn's target from {@link TurnService}, then the
 * gateway's answer relayed to the listener, the turn recorded before the answer's end reaches it.
 */
public final class ResponseService implements SendResponseUseCase {
    private static final Logger LOG = Logger.getLogger(ResponseService.class.getName());
    // Only a defect of the listener gets here (a failed recording goes to it as a failure): say so in the operator's log.
    private static final Thread.UncaughtExceptionHandler RECORDING_FAILED = (thread, failure) ->
            LOG.log(Level.SEVERE, "Passing on an answer after charging its turn failed", failure);

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
        TurnService.AdmittedTurn turn = turns.admit(command.caller(), command.instanceId(), command.sessionId());
        ForwardingTarget target = turn.target();
        gateway.relayResponse(target.instance(), target.sessionKey(), command.request(), new RecordingListener(turn, listener));
    }

    /** Records the turn before the whole answer or the stream's end is passed on, and explains a failed call. */
    private final class RecordingListener implements GatewayAnswerListener {
        private final TurnService.AdmittedTurn turn;
        private final GatewayAnswerListener next;
        private boolean started;

        RecordingListener(TurnService.AdmittedTurn turn, GatewayAnswerListener next) {
            this.turn = turn;
            this.next = next;
        }

        @Override
        public void onAnswer(GatewayResponse answer) {
            whenRecorded(answer.usage(), () -> next.onAnswer(answer), failure -> {
                answer.close();
                next.onFailure(failure);
            });
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
            whenRecorded(usage, () -> next.onStreamEnd(usage), next::onFailure);
        }

        @Override
        public void onFailure(RuntimeException failure) {
            // A failed stream is not explained: its client already has the gateway's status and some events.
            next.onFailure(started || !(failure instanceof ChowderException gatewayFailure) ? failure : turns.explain(turn.target(), gatewayFailure));
        }

        /**
         * Records the turn, then passes its end on ({@code recorded}, or {@code failed} with why recording failed). The
         * gateway adapter may call from a thread that must never wait (its I/O thread): recording that writes a shared
         * counter (a turn with a token budget) runs on a virtual thread of its own; the rest, memory only, runs here.
         */
        private void whenRecorded(Optional<TokenUsage> usage, Runnable recorded, java.util.function.Consumer<RuntimeException> failed) {
            Runnable record = () -> {
                try {
                    turns.record(turn, usage);
                } catch (RuntimeException e) {
                    failed.accept(e);
                    return;
                }
                recorded.run();
            };
            if (turn.recordingWrites(usage)) {
                Thread.ofVirtual().name("chowder-turn-charge").uncaughtExceptionHandler(RECORDING_FAILED).start(record);
            } else {
                record.run();
            }
        }
    }
}
