package chowder.application.service;

import static chowder.application.service.ServiceHarness.assertCode;
import static chowder.application.service.ServiceHarness.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chowder.application.port.in.RegisterInstanceCommand;
import chowder.application.port.in.SendResponseCommand;
import chowder.application.port.in.UpdateInstanceCommand;
import chowder.domain.Caller;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.Instance;
import chowder.domain.InstanceStatus;
import chowder.domain.SessionId;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Registering, changing, starting, stopping and deleting instances: validation, health, limits, and other organizations kept out. */
class InstanceServiceTest {
    private final ServiceHarness h = new ServiceHarness();

    @Test
    void withoutTheProvisionerAnInstanceNeedsAGatewayUrl() {
        Caller acme = h.caller("Acme");
        assertThatThrownBy(() -> h.instances.register(RegisterInstanceCommand.of(acme, "bot", null, null)))
                .isInstanceOfSatisfying(ChowderException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.VALIDATION_FAILED))
                .hasMessage("gateway_url is required: this Chowder registers gateways that already run and does not provision them "
                        + "(its operator can have it run one per instance with CHOWDER_PROVISIONER=local).");
        assertThat(h.store.instances).isEmpty();
    }

    @Test
    void registrationValidatesItsFieldsWithoutEchoingTheToken() {
        Caller acme = h.caller("Acme");
        assertCode(() -> h.instances.register(RegisterInstanceCommand.of(acme, "", "http://h", "t")), ErrorCode.VALIDATION_FAILED);
        assertCode(() -> h.instances.register(RegisterInstanceCommand.of(acme, "bot", "ftp://h", "t")), ErrorCode.VALIDATION_FAILED);
        assertCode(() -> h.instances.register(RegisterInstanceCommand.of(acme, "bot", "http://h", null)), ErrorCode.VALIDATION_FAILED);
        assertThatThrownBy(() -> h.instances.register(RegisterInstanceCommand.of(acme, "bot", "http://h", "top secret")))
                .message().doesNotContain("top secret");
        assertThat(h.store.instances).isEmpty();
    }

    @Test
    void aNewRegistrationIsProvisioningUntilItsFirstProbeThenFollowsItsHealth() {
        Caller acme = h.caller("Acme");
        h.health.downHosts.add("10.1.1.1");
        Instance down = h.instances.register(RegisterInstanceCommand.of(acme, "down", "http://10.1.1.1:1", "t"));
        Instance up = h.instances.register(RegisterInstanceCommand.of(acme, "up", "http://10.1.1.2:1", "t"));
        assertThat(down.status()).isEqualTo(InstanceStatus.PROVISIONING);
        // The registration's own probe already ran (this test's executor is synchronous).
        assertThat(h.instances.get(acme, down.id()).status()).isEqualTo(InstanceStatus.ERROR);
        assertThat(h.instances.get(acme, down.id()).errorMessage()).contains("connection refused");
        assertThat(h.instances.get(acme, up.id()).status()).isEqualTo(InstanceStatus.RUNNING);

        h.health.downHosts.clear();
        h.health.downHosts.add("10.1.1.2");
        h.probes.probeAll();
        assertThat(h.instances.get(acme, down.id()).status()).isEqualTo(InstanceStatus.RUNNING);
        assertThat(h.instances.get(acme, down.id()).errorMessage()).isEmpty();
        assertThat(h.instances.get(acme, up.id()).status()).isEqualTo(InstanceStatus.ERROR);
    }

    @Test
    void everyStateTransitionAndItsConflicts() {
        Caller acme = h.caller("Acme");
        Instance instance = h.instances.register(RegisterInstanceCommand.of(acme, "bot", "http://10.1.1.1:1", "t"));
        assertThat(h.instances.get(acme, instance.id()).status()).isEqualTo(InstanceStatus.RUNNING);

        assertCode(() -> h.instances.start(acme, instance.id()), ErrorCode.INSTANCE_STATE_CONFLICT);
        assertThat(h.instances.stop(acme, instance.id()).status()).isEqualTo(InstanceStatus.STOPPED);
        assertCode(() -> h.instances.stop(acme, instance.id()), ErrorCode.INSTANCE_STATE_CONFLICT);
        h.probes.probeAll();
        assertThat(h.instances.get(acme, instance.id()).status()).as("probing leaves a stopped instance alone").isEqualTo(InstanceStatus.STOPPED);
        assertCode(() -> h.responses.send(new SendResponseCommand(acme, instance.id(), SessionId.MAIN, request(false))), ErrorCode.INSTANCE_NOT_RUNNING);

        assertThat(h.instances.start(acme, instance.id()).status()).isEqualTo(InstanceStatus.PROVISIONING);
        assertThat(h.instances.get(acme, instance.id()).status()).isEqualTo(InstanceStatus.RUNNING);

        h.health.downHosts.add("10.1.1.1");
        h.probes.probeAll();
        assertThat(h.instances.get(acme, instance.id()).status()).isEqualTo(InstanceStatus.ERROR);
        h.responses.send(new SendResponseCommand(acme, instance.id(), SessionId.MAIN, request(false)));
        assertThat(h.gateway.calls).as("an unhealthy instance is still tried: the gateway's own error is the answer").hasSize(1);
        assertThat(h.instances.stop(acme, instance.id()).status()).isEqualTo(InstanceStatus.STOPPED);

        h.instances.delete(acme, instance.id());
        assertCode(() -> h.instances.get(acme, instance.id()), ErrorCode.INSTANCE_NOT_FOUND);
        assertCode(() -> h.instances.delete(acme, instance.id()), ErrorCode.INSTANCE_NOT_FOUND);
        assertCode(() -> h.instances.start(acme, instance.id()), ErrorCode.INSTANCE_NOT_FOUND);
        assertThat(h.instances.list(acme)).isEmpty();
        assertThat(h.store.instances).singleElement().satisfies(kept -> assertThat(kept.status()).isEqualTo(InstanceStatus.TERMINATED));
    }

    @Test
    void aNewAddressOrTokenIsProbedAgainAndTheChangeIsUsedByTheNextRequest() {
        Caller acme = h.caller("Acme");
        Instance instance = h.instances.register(RegisterInstanceCommand.of(acme, "bot", "http://10.1.1.1:1", "old"));
        assertThatThrownBy(() -> h.instances.update(new UpdateInstanceCommand(acme, instance.id(), Optional.empty(),
                Optional.of("http://10.9.9.9:1"), Optional.empty(), Optional.empty())))
                .as("the stored token is never sent to a new address").hasMessageContaining("gateway_token is required");
        h.health.downHosts.add("10.2.2.2");
        Instance updated = h.instances.update(new UpdateInstanceCommand(acme, instance.id(), Optional.of("renamed"),
                Optional.of("http://10.2.2.2:2"), Optional.of("new"), Optional.of("{\"a\":1}")));
        assertThat(updated.status()).isEqualTo(InstanceStatus.PROVISIONING);
        Instance stored = h.instances.get(acme, instance.id());
        assertThat(stored.status()).isEqualTo(InstanceStatus.ERROR);
        assertThat(stored.name()).isEqualTo("renamed");
        assertThat(stored.settings().openclawConfigJson()).contains("{\"a\":1}");
        h.responses.send(new SendResponseCommand(acme, instance.id(), SessionId.MAIN, request(false)));
        assertThat(h.gateway.calls.getLast().instance().gatewayUrl().toString()).isEqualTo("http://10.2.2.2:2");
        assertThat(h.gateway.calls.getLast().instance().gatewayToken().value()).isEqualTo("new");
    }

    @Test
    void theInstanceLimitCountsInstancesThatAreNotDeleted() {
        InstanceService limited = new InstanceService(h.store, h.store, h.health, h.probes, new InstanceLimits(2), h.clock);
        Caller acme = h.caller("Acme");
        Caller globex = h.caller("Globex");
        Instance first = limited.register(RegisterInstanceCommand.of(acme, "one", "http://10.1.1.1:1", "t"));
        limited.register(RegisterInstanceCommand.of(acme, "two", "http://10.1.1.1:1", "t"));
        assertCode(() -> limited.register(RegisterInstanceCommand.of(acme, "three", "http://10.1.1.1:1", "t")), ErrorCode.INSTANCE_LIMIT_REACHED);
        limited.register(RegisterInstanceCommand.of(globex, "other org", "http://10.1.1.1:1", "t"));
        limited.delete(acme, first.id());
        limited.register(RegisterInstanceCommand.of(acme, "three", "http://10.1.1.1:1", "t"));
    }

    @Test
    void forbiddenGatewayAddressesAreRefusedAtRegistrationAndUpdate() {
        Caller acme = h.caller("Acme");
        h.health.forbiddenHosts.add("169.254.169.254");
        assertCode(() -> h.instances.register(RegisterInstanceCommand.of(acme, "x", "http://169.254.169.254", "t")), ErrorCode.GATEWAY_ADDRESS_FORBIDDEN);
        Instance instance = h.instances.register(RegisterInstanceCommand.of(acme, "x", "http://10.1.1.1", "t"));
        assertCode(() -> h.instances.update(new UpdateInstanceCommand(acme, instance.id(), Optional.empty(),
                Optional.of("http://169.254.169.254"), Optional.empty(), Optional.empty())), ErrorCode.GATEWAY_ADDRESS_FORBIDDEN);
        assertThat(h.instances.get(acme, instance.id()).gatewayUrl().toString()).isEqualTo("http://10.1.1.1");
    }

    @Test
    void anotherOrganizationCannotChangeAnInstance() {
        Caller acme = h.caller("Acme");
        Caller globex = h.caller("Globex");
        Instance instance = h.instances.register(RegisterInstanceCommand.of(acme, "bot", "http://10.1.1.1:1", "t"));
        assertCode(() -> h.instances.stop(globex, instance.id()), ErrorCode.INSTANCE_NOT_FOUND);
        assertCode(() -> h.instances.delete(globex, instance.id()), ErrorCode.INSTANCE_NOT_FOUND);
        assertCode(() -> h.instances.update(new UpdateInstanceCommand(globex, instance.id(), Optional.of("x"), Optional.empty(),
                Optional.empty(), Optional.empty())), ErrorCode.INSTANCE_NOT_FOUND);
        assertThat(h.instances.get(acme, instance.id()).name()).isEqualTo("bot");
    }
}
