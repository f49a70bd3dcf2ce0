package chowder.application.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chowder.application.port.ResponseRequest;
import chowder.application.port.in.AuthorizeModelCallUseCase.ModelCallMeter;
import chowder.application.port.in.NewOrganization;
import chowder.application.port.in.RegisterInstanceCommand;
import chowder.application.port.in.SendResponseCommand;
import chowder.domain.Caller;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.Instance;
import chowder.domain.ModelProviderName;
import chowder.domain.OrganizationPlan;
import chowder.domain.SessionId;
import chowder.domain.UsageLimits;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The services behind organizations' model keys and plans, the model endpoint and the limits of turns, wired over the
 * fakes of the stores and counters at a fixed time two hours before a UTC midnight: what their tests start from.
 */
abstract class ModelAccessFixture {
    static final Instant NOW = Instant.parse("2026-12-05T22:00:00Z");
    final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    final InMemoryStore store = new InMemoryStore();
    final InMemoryLimitCounters counters = new InMemoryLimitCounters();
    final InMemoryModelUsage modelUsage = new InMemoryModelUsage();
    final FixedCatalog catalog = new FixedCatalog(ModelProviderName.ANTHROPIC);
    final OrganizationService organizations = new OrganizationService(store, store, store, catalog, store, store,
            new InstanceLimits(5), new SecureRandom(), clock);
    final AuthenticationService authentication = new AuthenticationService(store, store, new KeyUsageRecorder(store), clock);
    final ApiKeyService keys = new ApiKeyService(store, store, store, KeyLimits.DEFAULT, new SecureRandom(), clock);
    final UsageLimiter limiter = new UsageLimiter(store, counters, clock);
    final ModelCredentials credentials = new ModelCredentials(new SecureRandom());
    final ModelUsageRecorder usage = new ModelUsageRecorder(modelUsage);
    final RecordingProvisioner provisioner = new RecordingProvisioner();
    final ScriptedHealth health = new ScriptedHealth();
    final InstanceHealthService probes = new InstanceHealthService(store, store, health, Runnable::run, 8, clock);
    final RecordingGateway gateway = new RecordingGateway();
    final ModelRefusals refusals = new ModelRefusals();
    final ResponseService responses = new ResponseService(store, gateway, new SessionRegistry(new InMemorySessions()), limiter,
            refusals, clock);
    final LimitsService limits = new LimitsService(store, keys, store, store);

    ModelAccessService access(boolean operatorKeysForAll) {
        return new ModelAccessService(credentials, store, store, catalog, store, store, limiter, usage, new ModelAccessPolicy(operatorKeysForAll),
                refusals, clock);
    }

    InstanceService instances(ModelAccessService access) {
        return new InstanceService(store, store, health, probes, new InstanceLimits(5), store, provisioner, GatewaySettings.NONE, access,
                credentials, clock);
    }

    /** A model call of the {@code local} provider, admitted with an estimate of its tokens. */
    static ModelCallMeter call(ModelAccessService access, String credential, long estimatedTokens) {
        return access.authorize(credential, FixedCatalog.LOCAL).admission().admit(estimatedTokens);
    }

    /** The operator gives the caller's organization these budgets and rates. */
    void givePlan(Caller caller, UsageLimits budgets) {
        limits.setPlan(Caller.allOrganizations(), caller.organizationId(), new OrganizationPlan("team", OptionalInt.empty(), budgets,
                Optional.empty()));
    }

    void send(Caller caller, Instance instance, String session) {
        responses.send(new SendResponseCommand(caller, instance.id(), SessionId.of(session),
                new ResponseRequest(Optional.of("m"), false, "{\"input\":\"hi\"}".getBytes(StandardCharsets.UTF_8))));
    }

    static RegisterInstanceCommand provisioned(Caller caller, String provider) {
        return new RegisterInstanceCommand(caller, "agent", null, null, Optional.ofNullable(provider), Optional.empty(), Optional.empty());
    }

    Caller callerOf(NewOrganization organization) {
        return authentication.authenticate(organization.apiKey().value());
    }

    static void assertCode(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, ErrorCode code) {
        assertThatThrownBy(call).isInstanceOfSatisfying(ChowderException.class, e -> assertThat(e.code()).isEqualTo(code));
    }
}
