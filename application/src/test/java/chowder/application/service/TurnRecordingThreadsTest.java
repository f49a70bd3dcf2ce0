package chowder.application.service;

import static org.assertj.core.api.Assertions.assertThat;

import chowder.application.port.GatewayAnswerListener;
import chowder.application.port.GatewayResponse;
import chowder.application.port.ResponseRequest;
import chowder.application.port.in.RegisterInstanceCommand;
import chowder.application.port.in.SendResponseCommand;
import chowder.application.port.out.LimitCounterPort.TokenWindow;
import chowder.domain.Caller;
import chowder.domain.Instance;
import chowder.domain.SessionId;
import chowder.domain.TokenUsage;
import chowder.domain.UsageLimits;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The gateway adapter hands a turn's end over on a thread that must never wait: recording it stays on that thread while
 * it touches memory only, and moves to a thread of its own when it writes a shared budget counter, charged before the
 * answer is passed on.
 */
class TurnRecordingThreadsTest extends ModelAccessFixture {
    /** Where and when the answer reached the listener: its thread, and whether the organization's 15 tokens were charged by then. */
    private record Arrival(Thread thread, boolean charged) {}

    private CompletableFuture<Arrival> relay(Caller caller, Instance instance) {
        CompletableFuture<Arrival> arrival = new CompletableFuture<>();
        String counter = "org:" + caller.organizationId();
        responses.relay(new SendResponseCommand(caller, instance.id(), SessionId.of("main"),
                new ResponseRequest(Optional.of("m"), false, "{\"input\":\"hi\"}".getBytes(StandardCharsets.UTF_8))), new GatewayAnswerListener() {
                    @Override
                    public void onAnswer(GatewayResponse answer) {
                        arrival.complete(new Arrival(Thread.currentThread(), counters.tokensSpent(counter, TokenWindow.DAY, 15, NOW).isPresent()));
                    }

                    @Override
                    public void onStreamStart(int status, String contentType) {}

                    @Override
                    public void onEvent(ByteBuffer event, Runnable next) {}

                    @Override
                    public void onStreamEnd(Optional<TokenUsage> usage) {}

                    @Override
                    public void onFailure(RuntimeException failure) {
                        arrival.completeExceptionally(failure);
                    }
                });
        return arrival;
    }

    @Test
    void aTurnWithoutABudgetIsRecordedOnTheGatewaysThreadAndOneWithABudgetIsChargedOnItsOwnBeforeItsAnswerGoesOn() throws Exception {
        Caller acme = callerOf(organizations.create("Acme"));
        Instance bot = instances(access(true)).register(RegisterInstanceCommand.of(acme, "bot", "http://127.0.0.1:1", "t"));

        // The fake gateway answers (15 tokens) on the thread that sent the request.
        Arrival unlimited = relay(acme, bot).get(10, TimeUnit.SECONDS);
        assertThat(unlimited.thread()).isSameAs(Thread.currentThread());
        assertThat(unlimited.charged()).isFalse();

        givePlan(acme, new UsageLimits(OptionalLong.of(1_000), OptionalLong.empty(), OptionalLong.empty()));
        Arrival budgeted = relay(acme, bot).get(10, TimeUnit.SECONDS);
        assertThat(budgeted.thread()).isNotSameAs(Thread.currentThread());
        assertThat(budgeted.thread().isVirtual()).isTrue();
        assertThat(budgeted.charged()).isTrue();
    }
}
