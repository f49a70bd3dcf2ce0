package chowder.application.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chowder.application.port.ResponseRequest;
import chowder.application.port.in.ManageSessionsUseCase.DayUsage;
import chowder.application.port.in.ManageSessionsUseCase.SessionPage;
import chowder.application.port.in.CreateApiKeyCommand;
import chowder.application.port.in.RegisterInstanceCommand;
import chowder.application.port.in.SendResponseCommand;
import chowder.domain.ApiKeyKind;
import chowder.domain.Caller;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.Instance;
import chowder.domain.SessionId;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SessionServiceTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-26T10:00:00Z"));
    private final InMemoryStore store = new InMemoryStore();
    private final ScriptedHealth health = new ScriptedHealth();
    private final InMemorySessions sessionStore = new InMemorySessions();
    private final SessionRegistry registry = new SessionRegistry(sessionStore);
    private final RecordingGateway gateway = new RecordingGateway();
    private final OrganizationService organizations = TestServices.organizations(store, clock);
    private final AuthenticationService authentication = new AuthenticationService(store, store, new KeyUsageRecorder(store), clock);
    private final InstanceService instances = new InstanceService(store, store, health,
            new InstanceHealthService(store, store, health, Runnable::run, 4, clock), InstanceLimits.UNLIMITED, clock);
    private final ResponseService responses = new ResponseService(store, gateway, registry, clock);
    private final SessionService sessions = new SessionService(store, sessionStore, sessionStore, registry);

    @Test
    void resetAndDeleteMoveTheSessionToANewKeyAndCountersAreKept() {
        Caller acme = authentication.authenticate(organizations.create("Acme").apiKey().value());
        Instance instance = instances.register(RegisterInstanceCommand.of(acme, "a", "http://10.0.0.1", "t"));
        send(acme, instance, "user-42");
        send(acme, instance, "user-42");
        assertThat(gateway.calls).extracting(call -> call.sessionKey().value()).containsOnly("chowder-0-user-42");
        assertThat(sessions.get(acme, instance.id(), SessionId.of("user-42")).turns()).isEqualTo(2);
        assertThat(sessions.get(acme, instance.id(), SessionId.of("user-42")).usage().inputTokens()).isEqualTo(20);

        sessions.reset(acme, instance.id(), SessionId.of("user-42"));
        send(acme, instance, "user-42");
        assertThat(gateway.calls.getLast().sessionKey().value()).isEqualTo("chowder-1-user-42");

        sessions.delete(acme, instance.id(), SessionId.of("user-42"));
        assertThat(sessionStore.deletedOnGateway).extracting(key -> key.value()).containsExactly("chowder-1-user-42");
        assertCode(() -> sessions.get(acme, instance.id(), SessionId.of("user-42")), ErrorCode.SESSION_NOT_FOUND);
        send(acme, instance, "user-42");
        assertThat(gateway.calls.getLast().sessionKey().value()).isEqualTo("chowder-2-user-42");
        assertThat(sessions.get(acme, instance.id(), SessionId.of("user-42")).turns()).as("a deleted id starts over").isEqualTo(1);
        assertCode(() -> sessions.reset(acme, instance.id(), SessionId.of("never-used")), ErrorCode.SESSION_NOT_FOUND);
    }

    @Test
    void pagesFollowNewestActivityAndTheCursorVisitsEverySessionOnce() {
        Caller acme = authentication.authenticate(organizations.create("Acme").apiKey().value());
        Instance instance = instances.register(RegisterInstanceCommand.of(acme, "a", "http://10.0.0.1", "t"));
        for (int i = 0; i < 25; i++) {
            clock.advance(Duration.ofSeconds(1));
            send(acme, instance, "s-" + i);
        }
        List<String> seen = new ArrayList<>();
        Optional<String> cursor = Optional.empty();
        do {
            SessionPage page = sessions.list(acme, instance.id(), Optional.empty(), cursor, 10);
            page.sessions().forEach(session -> seen.add(session.id().value()));
            cursor = page.nextCursor();
        } while (cursor.isPresent());
        assertThat(seen).hasSize(25).doesNotHaveDuplicates().startsWith("s-24", "s-23");
        assertThat(sessions.list(acme, instance.id(), Optional.of("s-1"), Optional.empty(), 100).sessions())
                .extracting(session -> session.id().value()).containsExactly("s-19", "s-18", "s-17", "s-16", "s-15", "s-14", "s-13", "s-12", "s-11", "s-10", "s-1");
        assertCode(() -> sessions.list(acme, instance.id(), Optional.empty(), Optional.of("garbage!"), 10), ErrorCode.INVALID_REQUEST);
        assertCode(() -> sessions.list(acme, instance.id(), Optional.empty(), Optional.empty(), 0), ErrorCode.INVALID_REQUEST);
    }

    @Test
    void usageRollsUpPerKeyOverATimeRange() {
        Caller acme = authentication.authenticate(organizations.create("Acme").apiKey().value());
        Instance instance = instances.register(RegisterInstanceCommand.of(acme, "a", "http://10.0.0.1", "t"));
        send(acme, instance, "a");
        send(acme, instance, "b");
        clock.advance(Duration.ofHours(2));
        send(acme, instance, "a");
        var all = sessions.usage(acme, instance.id(), Instant.parse("2026-11-26T00:00:00Z"), Instant.parse("2026-11-27T00:00:00Z"));
        assertThat(all.turns()).isEqualTo(3);
        assertThat(all.usage().totalTokens()).isEqualTo(45);
        assertThat(all.byKey()).singleElement().satisfies(key -> assertThat(key.keyId()).isEqualTo(acme.keyId()));
        var firstHour = sessions.usage(acme, instance.id(), Instant.parse("2026-11-26T10:00:00Z"), Instant.parse("2026-11-26T11:00:00Z"));
        assertThat(firstHour.turns()).isEqualTo(2);
    }

    @Test
    void usageByDayHasEveryDayOfTheWindowAndItsKeys() {
        Caller acme = authentication.authenticate(organizations.create("Acme").apiKey().value());
        Instance instance = instances.register(RegisterInstanceCommand.of(acme, "a", "http://10.0.0.1", "t"));
        Caller scoped = authentication.authenticate(new ApiKeyService(store, store, store, KeyLimits.DEFAULT, new SecureRandom(), clock)
                .create(new CreateApiKeyCommand(acme, ApiKeyKind.SCOPED, "support", List.of(instance.id().toString()), List.of("interact"),
                        Optional.empty(), List.of(), Optional.empty())).secret().value());
        send(acme, instance, "a");
        clock.advance(Duration.ofDays(2));
        send(acme, instance, "a");
        send(scoped, instance, "b");

        List<DayUsage> days = sessions.usageByDay(acme, instance.id(), Instant.parse("2026-11-25T00:00:00Z"), Instant.parse("2026-11-29T00:00:00Z"));
        assertThat(days).extracting(day -> day.day().from().toString())
                .containsExactly("2026-11-25T00:00:00Z", "2026-11-26T00:00:00Z", "2026-11-27T00:00:00Z", "2026-11-28T00:00:00Z");
        assertThat(days).extracting(day -> day.usage().turns()).containsExactly(0L, 1L, 0L, 2L);
        assertThat(days.get(0).usage().byKey()).as("a day without usage has no keys").isEmpty();
        assertThat(days.get(3).usage().byKey()).extracting(key -> key.keyId()).containsExactlyInAnyOrder(acme.keyId(), scoped.keyId());
        assertThat(days.get(3).usage().usage().totalTokens()).isEqualTo(30);
    }

    @Test
    void usageByDayRefusesMoreThanAQuarterAndWhatUsageRefuses() {
        Caller acme = authentication.authenticate(organizations.create("Acme").apiKey().value());
        Instance instance = instances.register(RegisterInstanceCommand.of(acme, "a", "http://10.0.0.1", "t"));
        Instant from = Instant.parse("2026-08-01T00:00:00Z");
        assertThat(sessions.usageByDay(acme, instance.id(), from, from.plus(Duration.ofDays(92)))).hasSize(92);
        assertThatThrownBy(() -> sessions.usageByDay(acme, instance.id(), from, from.plus(Duration.ofDays(92)).plusSeconds(1)))
                .isInstanceOfSatisfying(ChowderException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
                    assertThat(e.getMessage()).contains("at most 92 days").contains("93");
                });
        assertCode(() -> sessions.usageByDay(acme, instance.id(), from, from), ErrorCode.INVALID_REQUEST);
        assertThatThrownBy(() -> sessions.usage(acme, instance.id(), from.plusSeconds(1), from)).hasMessage("from must be before to.");
        Caller globex = authentication.authenticate(organizations.create("Globex").apiKey().value());
        assertCode(() -> sessions.usageByDay(globex, instance.id(), from, from.plus(Duration.ofDays(1))), ErrorCode.INSTANCE_NOT_FOUND);
    }

    private void send(Caller caller, Instance instance, String session) {
        responses.send(new SendResponseCommand(caller, instance.id(), SessionId.of(session),
                new ResponseRequest(Optional.empty(), false, "{\"input\":\"x\"}".getBytes(StandardCharsets.UTF_8))));
    }

    private static void assertCode(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, ErrorCode code) {
        assertThatThrownBy(call).isInstanceOfSatisfying(ChowderException.class, e -> assertThat(e.code()).isEqualTo(code));
    }

    /** A clock the test moves forward. */
    static final class MutableClock extends Clock {
        private Instant now;

        MutableClock(Instant start) {
            now = start;
        }

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public ZoneId getZone() {
            return ZoneId.of("UTC");
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
