package chowder.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Optional;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class InstanceTest {
    private static final Instant T0 = Instant.parse("2026-12-05T08:00:00Z");
    private static final Instant T1 = T0.plusSeconds(60);
    private final OrganizationId acme = OrganizationId.random();
    private final GatewayUrl url = GatewayUrl.of("http://127.0.0.1:18789");
    private final GatewayToken token = new GatewayToken("gw-token");

    @Test
    void aRegisteredGatewayProvisionsUntilItsFirstGoodProbeThenStopsAndStartsAgain() {
        Instance registered = Instance.register(acme, "bot", url, token, InstanceSettings.NONE, T0);
        assertThat(registered.status()).isEqualTo(InstanceStatus.PROVISIONING);
        assertThat(registered.provisioned()).isFalse();
        Instance running = registered.observed(Optional.empty(), T1);
        assertThat(running.status()).isEqualTo(InstanceStatus.RUNNING);
        assertThat(running.updatedAt()).isEqualTo(T1);
        assertThat(running.observed(Optional.empty(), T1)).as("an unchanged probe writes nothing").isNull();
        Instance stopped = running.stop(T1);
        assertCode(stopped::ensureRunning, ErrorCode.INSTANCE_NOT_RUNNING);
        assertThat(stopped.observed(Optional.empty(), T1)).as("a stopped instance is not probed").isNull();
        assertCode(() -> stopped.stop(T1), ErrorCode.INSTANCE_STATE_CONFLICT);
        assertThat(stopped.start(T1).status()).isEqualTo(InstanceStatus.PROVISIONING);
        assertCode(() -> running.start(T1), ErrorCode.INSTANCE_STATE_CONFLICT);
    }

    @Test
    void aFailedProbeIsAnErrorWithItsMessageBoundedAndAGoodOneClearsIt() {
        Instance running = Instance.register(acme, "bot", url, token, InstanceSettings.NONE, T0).observed(Optional.empty(), T0);
        Instance failing = running.observed(Optional.of("x".repeat(5000)), T1);
        assertThat(failing.status()).isEqualTo(InstanceStatus.ERROR);
        assertThat(failing.errorMessage()).hasValueSatisfying(text -> assertThat(text).hasSize(Instance.MAX_ERROR_MESSAGE_LENGTH));
        assertThatCode(failing::ensureRunning).as("an instance in error still takes traffic").doesNotThrowAnyException();
        Instance recovered = failing.observed(Optional.empty(), T1);
        assertThat(recovered.status()).isEqualTo(InstanceStatus.RUNNING);
        assertThat(recovered.errorMessage()).isEmpty();
    }

    @Test
    void aDeletedInstanceIsNotFoundForEveryoneAndAnotherOrganizationNeverSeesIt() {
        Instance instance = Instance.register(acme, "bot", url, token, InstanceSettings.NONE, T0);
        Caller acmeKey = new Caller(acme, ApiKeyId.random(), ApiKeyKind.ORGANIZATION, false, KeyScope.UNRESTRICTED);
        Caller globexKey = new Caller(OrganizationId.random(), ApiKeyId.random(), ApiKeyKind.ORGANIZATION, false, KeyScope.UNRESTRICTED);
        assertThat(instance.visibleTo(acmeKey)).isTrue();
        assertThat(instance.visibleTo(globexKey)).isFalse();
        Instance deleted = instance.terminate(T1);
        assertThat(deleted.visibleTo(acmeKey)).isFalse();
        assertCode(() -> deleted.terminate(T1), ErrorCode.INSTANCE_NOT_FOUND);
        assertCode(() -> deleted.update(new InstanceUpdate(Optional.of("x"), Optional.empty(), Optional.empty(), Optional.empty()), T1),
                ErrorCode.INSTANCE_NOT_FOUND);
    }

    @Test
    void aNewAddressNeedsANewTokenAndIsProbedAgain() {
        Instance running = Instance.register(acme, "bot", url, token, InstanceSettings.NONE, T0).observed(Optional.empty(), T0);
        GatewayUrl elsewhere = GatewayUrl.of("http://127.0.0.1:18790");
        assertCode(() -> running.update(new InstanceUpdate(Optional.empty(), Optional.of(elsewhere), Optional.empty(), Optional.empty()), T1),
                ErrorCode.VALIDATION_FAILED);
        Instance moved = running.update(new InstanceUpdate(Optional.empty(), Optional.of(elsewhere), Optional.of(new GatewayToken("new")),
                Optional.empty()), T1);
        assertThat(moved.status()).isEqualTo(InstanceStatus.PROVISIONING);
        assertThat(moved.gatewayUrl()).isEqualTo(elsewhere);
        Instance renamed = running.update(new InstanceUpdate(Optional.of("support"), Optional.empty(), Optional.empty(), Optional.empty()), T1);
        assertThat(renamed.name()).isEqualTo("support");
        assertThat(renamed.status()).as("a new name alone is not re-probed").isEqualTo(InstanceStatus.RUNNING);
    }

    @Test
    void aProvisionedGatewaysAddressAndTokenAreChowdersOwn() {
        Instance provisioned = Instance.provision(acme, "agent", url, token, InstanceSettings.NONE, T0);
        assertThat(provisioned.provisioned()).isTrue();
        assertCode(() -> provisioned.update(new InstanceUpdate(Optional.empty(), Optional.empty(), Optional.of(new GatewayToken("mine")),
                Optional.empty()), T1), ErrorCode.VALIDATION_FAILED);
        GatewayUrl newPort = GatewayUrl.of("http://127.0.0.1:40001");
        Instance relaunched = provisioned.relaunch(newPort, T1);
        assertThat(relaunched.gatewayUrl()).isEqualTo(newPort);
        assertThat(relaunched.gatewayToken()).isEqualTo(token);
        Instance registered = Instance.register(acme, "bot", url, token, InstanceSettings.NONE, T0);
        assertThatThrownBy(() -> registered.relaunch(newPort, T1)).isInstanceOf(IllegalStateException.class);
    }

    private static void assertCode(ThrowingCallable call, ErrorCode code) {
        assertThatThrownBy(call).isInstanceOfSatisfying(ChowderException.class, e -> assertThat(e.code()).isEqualTo(code));
    }
}
