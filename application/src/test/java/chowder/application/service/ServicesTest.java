package chowder.application.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chowder.application.port.ResponseRequest;
import chowder.application.port.in.ForwardingTarget;
import chowder.application.port.in.NewOrganization;
import chowder.application.port.in.RegisterInstanceCommand;
import chowder.application.port.in.SendResponseCommand;
import chowder.application.port.in.UpdateInstanceCommand;
import chowder.domain.ApiKey;
import chowder.domain.ApiKeyKind;
import chowder.domain.ApiKeySecret;
import chowder.domain.Caller;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.Instance;
import chowder.domain.InstanceId;
import chowder.domain.InstanceStatus;
import chowder.domain.SessionId;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ServicesTest {
    private static final Instant NOW = Instant.parse("2026-11-26T10:00:00Z");
    private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    private final InMemoryStore store = new InMemoryStore();
    private final RecordingGateway gateway = new RecordingGateway();
    private final OrganizationService organizations = TestServices.organizations(store, clock);
    private final KeyUsageRecorder usage = new KeyUsageRecorder(store);
    private final AuthenticationService authentication = new AuthenticationService(store, usage, clock);
    private final ScriptedHealth health = new ScriptedHealth();
    private final InstanceHealthService probes = new InstanceHealthService(store, store, health, Runnable::run, 8, clock);
    private final InstanceService instances = new InstanceService(store, store, health, probes, InstanceLimits.UNLIMITED, clock);
    private final InMemorySessions sessionStore = new InMemorySessions();
    private final SessionRegistry registry = new SessionRegistry(sessionStore);
    private final ResponseService responses = new ResponseService(store, gateway, registry, clock);

    @Test
    void aNewOrganizationKeyAuthenticatesAndOnlyItsHashIsStored() {
        NewOrganization acme = organizations.create("  Acme  ");
        assertThat(acme.organization().name()).isEqualTo("Acme");
        Caller caller = authentication.authenticate(acme.apiKey().value());
        assertThat(caller.organizationId()).isEqualTo(acme.organization().id());
        assertThat(store.keys).singleElement().satisfies(key -> {
            assertThat(key.hash()).isEqualTo(acme.apiKey().hash());
            assertThat(key.toString()).doesNotContain(acme.apiKey().value());
        });
    }

    @Test
    void rejectsMissingMalformedUnknownRevokedAndExpiredKeys() {
        assertCode(() -> authentication.authenticate(null), ErrorCode.MISSING_API_KEY);
        assertCode(() -> authentication.authenticate(" "), ErrorCode.MISSING_API_KEY);
        assertCode(() -> authentication.authenticate("chd_org_nope"), ErrorCode.INVALID_API_KEY);
        assertCode(() -> authentication.authenticate(ApiKeySecret.generate(ApiKeyKind.ORGANIZATION, new SecureRandom()).value()),
                ErrorCode.INVALID_API_KEY);

        NewOrganization acme = organizations.create("Acme");
        ApiKey stored = store.keys.getFirst();
        store.keys.set(0, new ApiKey(stored.id(), stored.organizationId(), stored.name(), stored.kind(), stored.keyPrefix(),
                stored.hash(), false, Optional.empty(), Optional.empty(), stored.createdAt(), stored.scope()));
        assertCode(() -> authentication.authenticate(acme.apiKey().value()), ErrorCode.INVALID_API_KEY);

        store.keys.set(0, new ApiKey(stored.id(), stored.organizationId(), stored.name(), stored.kind(), stored.keyPrefix(),
                stored.hash(), true, Optional.of(NOW), Optional.empty(), stored.createdAt(), stored.scope()));
        assertCode(() -> authentication.authenticate(acme.apiKey().value()), ErrorCode.INVALID_API_KEY);

        store.keys.set(0, new ApiKey(stored.id(), stored.organizationId(), stored.name(), stored.kind(), stored.keyPrefix(),
                stored.hash(), true, Optional.of(NOW.plus(Duration.ofSeconds(1))), Optional.empty(), stored.createdAt(), stored.scope()));
        assertThat(authentication.authenticate(acme.apiKey().value()).organizationId()).isEqualTo(acme.organization().id());
    }

    @Test
    void forwardsToTheEncodedSessionOfARunningInstance() {
        Caller acme = callerOf(organizations.create("Acme"));
        Instance instance = instances.register(RegisterInstanceCommand.of(acme, "bot", "http://127.0.0.1:1", "token-1"));

        responses.send(new SendResponseCommand(acme, instance.id(), SessionId.of("User-42"), request(false)));
        responses.send(new SendResponseCommand(acme, instance.id(), SessionId.MAIN, request(false)));

        assertThat(gateway.calls).extracting(call -> call.sessionKey().value())
                .containsExactly("chowder-0-_55ser-42", "chowder-0-main");
        assertThat(gateway.calls.getFirst().instance().gatewayToken().value()).isEqualTo("token-1");
    }

    @Test
    void aTurnsTargetIsResolvedWithoutTheGatewayAndTheTurnCountsOnlyOnceRecorded() {
        Caller acme = callerOf(organizations.create("Acme"));
        Instance instance = instances.register(RegisterInstanceCommand.of(acme, "bot", "http://127.0.0.1:1/base", "token-1"));
        TurnService turns = new TurnService(store, registry, UsageLimiter.unlimited(clock), new ModelRefusals(), clock);

        ForwardingTarget target = turns.resolve(acme, instance.id(), SessionId.of("User-42"));

        assertThat(target.responsesEndpoint()).hasToString("http://127.0.0.1:1/base/v1/responses");
        assertThat(target.gatewayToken().value()).isEqualTo("token-1");
        assertThat(target.sessionKey().value()).isEqualTo("chowder-0-_55ser-42");
        assertThat(target.toString()).doesNotContain("token-1");
        assertThat(gateway.calls).isEmpty();

        turns.recordTurn(target, Optional.of(new chowder.domain.TokenUsage(3, 4)));
        SessionService sessions = new SessionService(store, sessionStore, sessionStore, registry);
        assertThat(sessions.get(acme, instance.id(), SessionId.of("User-42")).turns()).as("resolved once, recorded once").isEqualTo(1);
        assertThat(sessions.get(acme, instance.id(), SessionId.of("User-42")).usage().outputTokens()).isEqualTo(4);
        ChowderException unrelated = new ChowderException(ErrorCode.GATEWAY_TIMEOUT, "slow");
        assertThat(turns.explain(target, unrelated)).isSameAs(unrelated);
        assertCode(() -> turns.resolve(callerOf(organizations.create("Globex")), instance.id(), SessionId.MAIN), ErrorCode.INSTANCE_NOT_FOUND);
    }

    @Test
    void anotherOrganizationsInstanceIsNotFound() {
        Caller acme = callerOf(organizations.create("Acme"));
        Caller globex = callerOf(organizations.create("Globex"));
        Instance instance = instances.register(RegisterInstanceCommand.of(acme, "bot", "http://127.0.0.1:1", "t"));

        assertCode(() -> instances.get(globex, instance.id()), ErrorCode.INSTANCE_NOT_FOUND);
        assertCode(() -> responses.send(new SendResponseCommand(globex, instance.id(), SessionId.MAIN, request(false))),
                ErrorCode.INSTANCE_NOT_FOUND);
        assertCode(() -> instances.get(acme, InstanceId.random()), ErrorCode.INSTANCE_NOT_FOUND);
        assertThat(instances.list(globex)).isEmpty();
        assertThat(instances.list(acme)).extracting(Instance::id).containsExactly(instance.id());
        assertThat(gateway.calls).isEmpty();
    }

    @Test
    void anInstanceThatIsNotRunningRefusesTraffic() {
        Caller acme = callerOf(organizations.create("Acme"));
        Instance running = instances.register(RegisterInstanceCommand.of(acme, "bot", "http://127.0.0.1:1", "t"));
        instances.stop(acme, running.id());

        assertCode(() -> responses.send(new SendResponseCommand(acme, running.id(), SessionId.MAIN, request(false))),
                ErrorCode.INSTANCE_NOT_RUNNING);
        assertThat(gateway.calls).isEmpty();
    }

    @Test
    void streamingRequestsOpenAStreamInTheSameEncodedSession() {
        Caller acme = callerOf(organizations.create("Acme"));
        Instance instance = instances.register(RegisterInstanceCommand.of(acme, "bot", "http://127.0.0.1:1", "t"));
        try (var stream = responses.stream(new SendResponseCommand(acme, instance.id(), SessionId.of("User-42"), request(true)))) {
            assertThat(new String(stream.nextEvent(), StandardCharsets.UTF_8)).startsWith("event: response.created");
        }
        assertThat(gateway.calls).singleElement().satisfies(call -> assertThat(call.sessionKey().value()).isEqualTo("chowder-0-_55ser-42"));
        Caller globex = callerOf(organizations.create("Globex"));
        assertCode(() -> responses.stream(new SendResponseCommand(globex, instance.id(), SessionId.MAIN, request(true))),
                ErrorCode.INSTANCE_NOT_FOUND);
    }

    @Test
    void withoutTheProvisionerAnInstanceNeedsAGatewayUrl() {
        Caller acme = callerOf(organizations.create("Acme"));
        assertThatThrownBy(() -> instances.register(RegisterInstanceCommand.of(acme, "bot", null, null)))
                .isInstanceOfSatisfying(ChowderException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.VALIDATION_FAILED))
                .hasMessage("gateway_url is required: this Chowder registers gateways that already run and does not provision them "
                        + "(its operator can have it run one per instance with CHOWDER_PROVISIONER=local).");
        assertThat(store.instances).isEmpty();
    }

    @Test
    void registrationValidatesItsFieldsWithoutEchoingTheToken() {
        Caller acme = callerOf(organizations.create("Acme"));
        assertCode(() -> instances.register(RegisterInstanceCommand.of(acme, "", "http://h", "t")), ErrorCode.VALIDATION_FAILED);
        assertCode(() -> instances.register(RegisterInstanceCommand.of(acme, "bot", "ftp://h", "t")), ErrorCode.VALIDATION_FAILED);
        assertCode(() -> instances.register(RegisterInstanceCommand.of(acme, "bot", "http://h", null)), ErrorCode.VALIDATION_FAILED);
        assertThatThrownBy(() -> instances.register(RegisterInstanceCommand.of(acme, "bot", "http://h", "top secret")))
                .message().doesNotContain("top secret");
        assertThat(store.instances).isEmpty();
    }

    @Test
    void aNewRegistrationIsProvisioningUntilItsFirstProbeThenFollowsItsHealth() {
        Caller acme = callerOf(organizations.create("Acme"));
        health.downHosts.add("10.1.1.1");
        Instance down = instances.register(RegisterInstanceCommand.of(acme, "down", "http://10.1.1.1:1", "t"));
        Instance up = instances.register(RegisterInstanceCommand.of(acme, "up", "http://10.1.1.2:1", "t"));
        assertThat(down.status()).isEqualTo(InstanceStatus.PROVISIONING);
        // The registration's own probe already ran (this test's executor is synchronous).
        assertThat(instances.get(acme, down.id()).status()).isEqualTo(InstanceStatus.ERROR);
        assertThat(instances.get(acme, down.id()).errorMessage()).contains("connection refused");
        assertThat(instances.get(acme, up.id()).status()).isEqualTo(InstanceStatus.RUNNING);

        health.downHosts.clear();
        health.downHosts.add("10.1.1.2");
        probes.probeAll();
        assertThat(instances.get(acme, down.id()).status()).isEqualTo(InstanceStatus.RUNNING);
        assertThat(instances.get(acme, down.id()).errorMessage()).isEmpty();
        assertThat(instances.get(acme, up.id()).status()).isEqualTo(InstanceStatus.ERROR);
    }

    @Test
    void everyStateTransitionAndItsConflicts() {
        Caller acme = callerOf(organizations.create("Acme"));
        Instance instance = instances.register(RegisterInstanceCommand.of(acme, "bot", "http://10.1.1.1:1", "t"));
        assertThat(instances.get(acme, instance.id()).status()).isEqualTo(InstanceStatus.RUNNING);

        assertCode(() -> instances.start(acme, instance.id()), ErrorCode.INSTANCE_STATE_CONFLICT);
        assertThat(instances.stop(acme, instance.id()).status()).isEqualTo(InstanceStatus.STOPPED);
        assertCode(() -> instances.stop(acme, instance.id()), ErrorCode.INSTANCE_STATE_CONFLICT);
        probes.probeAll();
        assertThat(instances.get(acme, instance.id()).status()).as("probing leaves a stopped instance alone").isEqualTo(InstanceStatus.STOPPED);
        assertCode(() -> responses.send(new SendResponseCommand(acme, instance.id(), SessionId.MAIN, request(false))), ErrorCode.INSTANCE_NOT_RUNNING);

        assertThat(instances.start(acme, instance.id()).status()).isEqualTo(InstanceStatus.PROVISIONING);
        assertThat(instances.get(acme, instance.id()).status()).isEqualTo(InstanceStatus.RUNNING);

        health.downHosts.add("10.1.1.1");
        probes.probeAll();
        assertThat(instances.get(acme, instance.id()).status()).isEqualTo(InstanceStatus.ERROR);
        responses.send(new SendResponseCommand(acme, instance.id(), SessionId.MAIN, request(false)));
        assertThat(gateway.calls).as("an unhealthy instance is still tried: the gateway's own error is the answer").hasSize(1);
        assertThat(instances.stop(acme, instance.id()).status()).isEqualTo(InstanceStatus.STOPPED);

        instances.delete(acme, instance.id());
        assertCode(() -> instances.get(acme, instance.id()), ErrorCode.INSTANCE_NOT_FOUND);
        assertCode(() -> instances.delete(acme, instance.id()), ErrorCode.INSTANCE_NOT_FOUND);
        assertCode(() -> instances.start(acme, instance.id()), ErrorCode.INSTANCE_NOT_FOUND);
        assertThat(instances.list(acme)).isEmpty();
        assertThat(store.instances).singleElement().satisfies(kept -> assertThat(kept.status()).isEqualTo(InstanceStatus.TERMINATED));
    }

    @Test
    void aNewAddressOrTokenIsProbedAgainAndTheChangeIsUsedByTheNextRequest() {
        Caller acme = callerOf(organizations.create("Acme"));
        Instance instance = instances.register(RegisterInstanceCommand.of(acme, "bot", "http://10.1.1.1:1", "old"));
        assertThatThrownBy(() -> instances.update(new UpdateInstanceCommand(acme, instance.id(), Optional.empty(),
                Optional.of("http://10.9.9.9:1"), Optional.empty(), Optional.empty())))
                .as("the stored token is never sent to a new address").hasMessageContaining("gateway_token is required");
        health.downHosts.add("10.2.2.2");
        Instance updated = instances.update(new UpdateInstanceCommand(acme, instance.id(), Optional.of("renamed"),
                Optional.of("http://10.2.2.2:2"), Optional.of("new"), Optional.of("{\"a\":1}")));
        assertThat(updated.status()).isEqualTo(InstanceStatus.PROVISIONING);
        Instance stored = instances.get(acme, instance.id());
        assertThat(stored.status()).isEqualTo(InstanceStatus.ERROR);
        assertThat(stored.name()).isEqualTo("renamed");
        assertThat(stored.settings().openclawConfigJson()).contains("{\"a\":1}");
        responses.send(new SendResponseCommand(acme, instance.id(), SessionId.MAIN, request(false)));
        assertThat(gateway.calls.getLast().instance().gatewayUrl().toString()).isEqualTo("http://10.2.2.2:2");
        assertThat(gateway.calls.getLast().instance().gatewayToken().value()).isEqualTo("new");
    }

    @Test
    void theInstanceLimitCountsInstancesThatAreNotDeleted() {
        InstanceService limited = new InstanceService(store, store, health, probes, new InstanceLimits(2), clock);
        Caller acme = callerOf(organizations.create("Acme"));
        Caller globex = callerOf(organizations.create("Globex"));
        Instance first = limited.register(RegisterInstanceCommand.of(acme, "one", "http://10.1.1.1:1", "t"));
        limited.register(RegisterInstanceCommand.of(acme, "two", "http://10.1.1.1:1", "t"));
        assertCode(() -> limited.register(RegisterInstanceCommand.of(acme, "three", "http://10.1.1.1:1", "t")), ErrorCode.INSTANCE_LIMIT_REACHED);
        limited.register(RegisterInstanceCommand.of(globex, "other org", "http://10.1.1.1:1", "t"));
        limited.delete(acme, first.id());
        limited.register(RegisterInstanceCommand.of(acme, "three", "http://10.1.1.1:1", "t"));
    }

    @Test
    void forbiddenGatewayAddressesAreRefusedAtRegistrationAndUpdate() {
        Caller acme = callerOf(organizations.create("Acme"));
        health.forbiddenHosts.add("169.254.169.254");
        assertCode(() -> instances.register(RegisterInstanceCommand.of(acme, "x", "http://169.254.169.254", "t")), ErrorCode.GATEWAY_ADDRESS_FORBIDDEN);
        Instance instance = instances.register(RegisterInstanceCommand.of(acme, "x", "http://10.1.1.1", "t"));
        assertCode(() -> instances.update(new UpdateInstanceCommand(acme, instance.id(), Optional.empty(),
                Optional.of("http://169.254.169.254"), Optional.empty(), Optional.empty())), ErrorCode.GATEWAY_ADDRESS_FORBIDDEN);
        assertThat(instances.get(acme, instance.id()).gatewayUrl().toString()).isEqualTo("http://10.1.1.1");
    }

    @Test
    void anotherOrganizationCannotChangeAnInstance() {
        Caller acme = callerOf(organizations.create("Acme"));
        Caller globex = callerOf(organizations.create("Globex"));
        Instance instance = instances.register(RegisterInstanceCommand.of(acme, "bot", "http://10.1.1.1:1", "t"));
        assertCode(() -> instances.stop(globex, instance.id()), ErrorCode.INSTANCE_NOT_FOUND);
        assertCode(() -> instances.delete(globex, instance.id()), ErrorCode.INSTANCE_NOT_FOUND);
        assertCode(() -> instances.update(new UpdateInstanceCommand(globex, instance.id(), Optional.of("x"), Optional.empty(),
                Optional.empty(), Optional.empty())), ErrorCode.INSTANCE_NOT_FOUND);
        assertThat(instances.get(acme, instance.id()).name()).isEqualTo("bot");
    }

    private Caller callerOf(NewOrganization organization) {
        return authentication.authenticate(organization.apiKey().value());
    }

    private static ResponseRequest request(boolean stream) {
        return new ResponseRequest(Optional.of("claude-sonnet-4-20250514"), stream,
                "{\"input\":\"hi\"}".getBytes(StandardCharsets.UTF_8));
    }

    private static void assertCode(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, ErrorCode code) {
        assertThatThrownBy(call).isInstanceOfSatisfying(ChowderException.class, e -> assertThat(e.code()).isEqualTo(code));
    }
}
