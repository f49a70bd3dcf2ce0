package chowder.application.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chowder.application.port.ResponseRequest;
import chowder.application.port.in.NewOrganization;
import chowder.domain.Caller;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/**
 * The services an organization registers, runs and talks to its instances through, wired over the fakes at a fixed
 * time, with a synchronous prober: for the tests of authentication, instances and forwarding.
 */
final class ServiceHarness {
    static final Instant NOW = Instant.parse("2026-11-26T10:00:00Z");
    final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    final InMemoryStore store = new InMemoryStore();
    final RecordingGateway gateway = new RecordingGateway();
    final OrganizationService organizations = TestServices.organizations(store, clock);
    final AuthenticationService authentication = new AuthenticationService(store, store, new KeyUsageRecorder(store), clock);
    final ScriptedHealth health = new ScriptedHealth();
    final InstanceHealthService probes = new InstanceHealthService(store, store, health, Runnable::run, 8, clock);
    final InstanceService instances = new InstanceService(store, store, health, probes, InstanceLimits.UNLIMITED, clock);
    final InMemorySessions sessionStore = new InMemorySessions();
    final SessionRegistry registry = new SessionRegistry(sessionStore);
    final ResponseService responses = new ResponseService(store, gateway, registry, clock);

    /** A new organization, authenticated with its first key. */
    Caller caller(String organization) {
        NewOrganization created = organizations.create(organization);
        return authentication.authenticate(created.apiKey().value());
    }

    static ResponseRequest request(boolean stream) {
        return new ResponseRequest(Optional.of("claude-sonnet-4-20250514"), stream,
                "{\"input\":\"hi\"}".getBytes(StandardCharsets.UTF_8));
    }

    static void assertCode(ThrowingCallable call, ErrorCode code) {
        assertThatThrownBy(call).isInstanceOfSatisfying(ChowderException.class, e -> assertThat(e.code()).isEqualTo(code));
    }
}
