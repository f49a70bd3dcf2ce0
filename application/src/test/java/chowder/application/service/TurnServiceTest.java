package chowder.application.service;

import static chowder.application.service.ServiceHarness.assertCode;
import static org.assertj.core.api.Assertions.assertThat;

import chowder.application.port.in.ForwardingTarget;
import chowder.application.port.in.RegisterInstanceCommand;
import chowder.domain.Caller;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.Instance;
import chowder.domain.SessionId;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A turn's target is resolved without the gateway, and the turn counts once recorded. */
class TurnServiceTest {
    private final ServiceHarness h = new ServiceHarness();

    @Test
    void aTurnsTargetIsResolvedWithoutTheGatewayAndTheTurnCountsOnlyOnceRecorded() {
        Caller acme = h.caller("Acme");
        Instance instance = h.instances.register(RegisterInstanceCommand.of(acme, "bot", "http://127.0.0.1:1/base", "token-1"));
        TurnService turns = new TurnService(h.store, h.registry, UsageLimiter.unlimited(h.clock), new ModelRefusals(), h.clock);

        ForwardingTarget target = turns.resolve(acme, instance.id(), SessionId.of("User-42"));

        assertThat(target.responsesEndpoint()).hasToString("http://127.0.0.1:1/base/v1/responses");
        assertThat(target.gatewayToken().value()).isEqualTo("token-1");
        assertThat(target.sessionKey().value()).isEqualTo("chowder-0-_55ser-42");
        assertThat(target.toString()).doesNotContain("token-1");
        assertThat(h.gateway.calls).isEmpty();

        turns.recordTurn(target, Optional.of(new chowder.domain.TokenUsage(3, 4)));
        SessionService sessions = new SessionService(h.store, h.sessionStore, h.sessionStore, h.registry);
        assertThat(sessions.get(acme, instance.id(), SessionId.of("User-42")).turns()).as("resolved once, recorded once").isEqualTo(1);
        assertThat(sessions.get(acme, instance.id(), SessionId.of("User-42")).usage().outputTokens()).isEqualTo(4);
        ChowderException unrelated = new ChowderException(ErrorCode.GATEWAY_TIMEOUT, "slow");
        assertThat(turns.explain(target, unrelated)).isSameAs(unrelated);
        assertCode(() -> turns.resolve(h.caller("Globex"), instance.id(), SessionId.MAIN), ErrorCode.INSTANCE_NOT_FOUND);
    }
}
