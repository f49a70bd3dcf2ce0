package chowder.application.service;

import static org.assertj.core.api.Assertions.assertThat;

import chowder.application.port.ResponseRequest;
import chowder.application.port.in.ManageSessionsUseCase;
import chowder.application.port.in.ManageSessionsUseCase.SessionPage;
import chowder.application.port.in.RegisterInstanceCommand;
import chowder.application.port.in.SendResponseCommand;
import chowder.application.port.in.UsageWindow;
import chowder.application.service.SessionServiceTest.MutableClock;
import chowder.domain.Caller;
import chowder.domain.Instance;
import chowder.domain.SessionId;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** What the sessions use case fills in when a request leaves it out: the page size and the usage window's ends. */
class SessionDefaultsTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-26T10:00:00Z"));
    private final InMemoryStore store = new InMemoryStore();
    private final ScriptedHealth health = new ScriptedHealth();
    private final InMemorySessions sessionStore = new InMemorySessions();
    private final SessionRegistry registry = new SessionRegistry(sessionStore);
    private final OrganizationService organizations = TestServices.organizations(store, clock);
    private final AuthenticationService authentication = new AuthenticationService(store, store, new KeyUsageRecorder(store), clock);
    private final InstanceService instances = new InstanceService(store, store, health,
            new InstanceHealthService(store, store, health, Runnable::run, 4, clock), InstanceLimits.UNLIMITED, clock);
    private final ResponseService responses = new ResponseService(store, new RecordingGateway(), registry, clock);
    private final SessionService sessions = new SessionService(store, sessionStore, sessionStore, registry, clock);

    @Test
    void aListingThatNamesNoSizeIsAPageOfTheDefaultSize() {
        Caller acme = authentication.authenticate(organizations.create("Acme").apiKey().value());
        Instance instance = instances.register(RegisterInstanceCommand.of(acme, "a", "http://10.0.0.1", "t"));
        for (int i = 0; i <= ManageSessionsUseCase.DEFAULT_PAGE_SIZE; i++) {
            responses.send(new SendResponseCommand(acme, instance.id(), SessionId.of("s-" + i),
                    new ResponseRequest(Optional.empty(), false, "{\"input\":\"x\"}".getBytes(StandardCharsets.UTF_8))));
        }
        SessionPage unsized = sessions.list(acme, instance.id(), Optional.empty(), Optional.empty(), OptionalInt.empty());
        assertThat(unsized.sessions()).hasSize(100);
        assertThat(unsized.nextCursor()).isPresent();
        assertThat(sessions.list(acme, instance.id(), Optional.empty(), Optional.empty(), OptionalInt.of(7)).sessions()).hasSize(7);
    }

    @Test
    void aUsageWindowWithoutAnEndEndsAtTheUseCasesClock() {
        assertThat(sessions.usageWindow(Optional.empty(), Optional.empty()))
                .isEqualTo(new UsageWindow(Instant.parse("2026-10-27T10:00:00Z"), Instant.parse("2026-11-26T10:00:00Z")));
        clock.advance(Duration.ofHours(1));
        assertThat(sessions.usageWindow(Optional.empty(), Optional.empty()).to()).isEqualTo(Instant.parse("2026-11-26T11:00:00Z"));
    }
}
