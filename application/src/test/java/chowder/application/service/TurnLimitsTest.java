package chowder.application.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chowder.application.port.in.CreateApiKeyCommand;
import chowder.application.port.in.NewOrganization;
import chowder.application.port.in.RegisterInstanceCommand;
import chowder.domain.ApiKeyKind;
import chowder.domain.Caller;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.Instance;
import chowder.domain.LimitExceededException;
import chowder.domain.ModelTokens;
import chowder.domain.OrganizationPlan;
import chowder.domain.SessionLimitRule;
import chowder.domain.SessionLimits;
import chowder.domain.UsageLimits;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** Turns under the budgets and rates of sessions, keys and organizations, and what a turn refused for a model call says. */
class TurnLimitsTest extends ModelAccessFixture {
    @Test
    void aTurnItsGatewayCouldNotFinishBecauseAModelCallWasRefusedSaysWhy() {
        Caller acme = callerOf(organizations.create("Acme"));
        ModelAccessService access = access(true);
        Instance bot = instances(access).register(provisioned(acme, "local"));
        givePlan(acme, new UsageLimits(OptionalLong.of(100), OptionalLong.empty(), OptionalLong.empty()));
        String credential = provisioner.credentialOf(bot.id());
        // During the turn: a model call spends past the budget, the next is refused, and the gateway gives up with a 500.
        gateway.duringCall = () -> {
            call(access, credential, 0).finished(new ModelTokens(150, 0, 0));
            assertThatThrownBy(() -> call(access, credential, 0)).isInstanceOf(LimitExceededException.class);
        };
        gateway.failure = new ChowderException(ErrorCode.GATEWAY_FAILED, "Gateway error – it answered 500: internal error");

        assertThatThrownBy(() -> send(acme, bot, "main")).isInstanceOfSatisfying(LimitExceededException.class, e ->
                assertThat(e.getMessage()).startsWith("Budget exceeded: this organization's tokens_per_day (100 tokens) is spent"));

        // A failure with no refusal during its turn stays the gateway's.
        gateway.duringCall = null;
        limits.setPlan(Caller.allOrganizations(), acme.organizationId(), OrganizationPlan.DEFAULT);
        assertCode(() -> send(acme, bot, "main"), ErrorCode.GATEWAY_FAILED);
    }

    @Test
    void turnsAreRefusedOnceTheSessionsTheKeysOrTheOrganizationsLimitIsSpent() {
        NewOrganization created = organizations.create("Acme");
        Caller acme = callerOf(created);
        Instance bot = instances(access(true)).register(RegisterInstanceCommand.of(acme, "bot", "http://127.0.0.1:1", "t"));
        String scopedKey = keys.create(new CreateApiKeyCommand(acme, ApiKeyKind.SCOPED, "support", List.of(bot.id().toString()),
                List.of("interact"), Optional.empty(), List.of(), Optional.empty())).secret().value();
        Caller scoped = authentication.authenticate(scopedKey);

        // Each session starting with "user-" may spend 20 tokens a day; a turn here uses 15.
        limits.setSessionLimits(acme, bot.id(), new SessionLimits(List.of(new SessionLimitRule("user-",
                new UsageLimits(OptionalLong.of(20), OptionalLong.empty(), OptionalLong.empty())))));
        send(scoped, bot, "user-1");
        send(scoped, bot, "user-1");
        assertThatThrownBy(() -> send(scoped, bot, "user-1")).isInstanceOfSatisfying(LimitExceededException.class, e ->
                assertThat(e.getMessage()).startsWith("Budget exceeded: the session limit for prefix 'user-' tokens_per_day (20 tokens) is spent"));
        send(scoped, bot, "user-2");
        send(scoped, bot, "main");

        // The key may make 2 requests a minute (counted from when the limit is set).
        limits.setKeyLimits(acme, scoped.keyId(), new UsageLimits(OptionalLong.empty(), OptionalLong.empty(), OptionalLong.of(2)));
        send(scoped, bot, "main");
        send(scoped, bot, "main");
        assertThatThrownBy(() -> send(scoped, bot, "main")).isInstanceOfSatisfying(LimitExceededException.class, e ->
                assertThat(e.getMessage()).startsWith("Rate limit exceeded: this key's requests_per_minute (2) is used up; retry in "));
        // The organization key is not that key.
        send(acme, bot, "main");

        // An organization's rate refuses; what the key had taken for that request is given back.
        limits.setKeyLimits(acme, scoped.keyId(), new UsageLimits(OptionalLong.empty(), OptionalLong.empty(), OptionalLong.of(100)));
        givePlan(acme, new UsageLimits(OptionalLong.empty(), OptionalLong.empty(), OptionalLong.of(1)));
        send(scoped, bot, "main");
        long keyTaken = counters.requests.get("key:" + scoped.keyId());
        assertThatThrownBy(() -> send(scoped, bot, "main")).isInstanceOfSatisfying(LimitExceededException.class, e ->
                assertThat(e.getMessage()).startsWith("Rate limit exceeded: this organization's requests_per_minute (1)"));
        assertThat(counters.requests.get("key:" + scoped.keyId())).isEqualTo(keyTaken);
        assertThat(gateway.calls).hasSize(8);
        // A key bound to sessions may not lift its own limits; another organization sees no instance.
        Caller globex = callerOf(organizations.create("Globex"));
        assertCode(() -> limits.sessionLimits(globex, bot.id()), ErrorCode.INSTANCE_NOT_FOUND);
        assertCode(() -> limits.setKeyLimits(globex, scoped.keyId(), UsageLimits.NONE), ErrorCode.API_KEY_NOT_FOUND);
        assertCode(() -> limits.setKeyLimits(scoped, scoped.keyId(), UsageLimits.NONE), ErrorCode.PERMISSION_DENIED);
    }

    @Test
    void aRegisteredGatewaysTurnsAreChargedToItsOrganizationAndAProvisionedOnesAreNot() {
        Caller acme = callerOf(organizations.create("Acme"));
        ModelAccessService access = access(true);
        InstanceService instances = instances(access);
        givePlan(acme, new UsageLimits(OptionalLong.empty(), OptionalLong.of(1_000), OptionalLong.empty()));
        Instance registered = instances.register(RegisterInstanceCommand.of(acme, "bot", "http://127.0.0.1:1", "t"));
        Instance provisioned = instances.register(provisioned(acme, "local"));
        store.instances.replaceAll(instance -> instance.id().equals(provisioned.id()) ? instance.observed(Optional.empty(), NOW) : instance);

        send(acme, registered, "main");
        assertThat(counters.spent("org:" + acme.organizationId())).isEqualTo(15);
        // A provisioned gateway's model calls pass the model endpoint, which charges them: its turns are not charged again.
        send(acme, provisioned, "main");
        assertThat(counters.spent("org:" + acme.organizationId())).isEqualTo(15);
    }
}
