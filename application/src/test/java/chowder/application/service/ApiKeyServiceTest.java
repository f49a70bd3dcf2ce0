package chowder.application.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chowder.application.port.in.CreateApiKeyCommand;
import chowder.application.port.in.NewApiKey;
import chowder.application.port.in.RegisterInstanceCommand;
import chowder.application.port.in.UpdateInstanceCommand;
import chowder.domain.ApiKey;
import chowder.domain.ApiKeyKind;
import chowder.domain.ApiKeySecret;
import chowder.domain.Caller;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.Instance;
import chowder.domain.KeyScope;
import chowder.domain.Permission;
import chowder.domain.SessionId;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ApiKeyServiceTest {
    private static final Instant NOW = Instant.parse("2026-11-26T10:00:00Z");
    private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    private final InMemoryStore store = new InMemoryStore();
    private final ScriptedHealth health = new ScriptedHealth();
    private final OrganizationService organizations = TestServices.organizations(store, clock);
    private final KeyUsageRecorder usage = new KeyUsageRecorder(store);
    private final AuthenticationService authentication = new AuthenticationService(store, store, usage, clock);
    private final InstanceService instances = new InstanceService(store, store, health,
            new InstanceHealthService(store, store, health, Runnable::run, 4, clock), InstanceLimits.UNLIMITED, clock);
    private final ApiKeyService keys = new ApiKeyService(store, store, store, KeyLimits.DEFAULT, new SecureRandom(), clock);

    @Test
    void aScopedKeyGetsExactlyItsPermissionsOnExactlyItsInstances() {
        Caller acme = authentication.authenticate(organizations.create("Acme").apiKey().value());
        Instance granted = instances.register(RegisterInstanceCommand.of(acme, "a", "http://10.0.0.1", "t"));
        Instance other = instances.register(RegisterInstanceCommand.of(acme, "b", "http://10.0.0.2", "t"));
        NewApiKey scoped = keys.create(scoped(acme, List.of(granted.id().toString()), List.of("read", "interact"), List.of(), Optional.empty()));
        assertThat(scoped.secret().value()).startsWith("chd_sk_");
        Caller caller = authentication.authenticate(scoped.secret().value());

        caller.requirePermission(granted.id(), Permission.READ);
        assertCode(() -> caller.requirePermission(granted.id(), Permission.CONFIGURE), ErrorCode.PERMISSION_DENIED);
        assertCode(() -> caller.requirePermission(other.id(), Permission.READ), ErrorCode.INSTANCE_NOT_FOUND);
        assertCode(() -> keys.list(caller), ErrorCode.PERMISSION_DENIED);
        assertThat(store.keys).allSatisfy(key -> assertThat(key.toString()).doesNotContain(scoped.secret().value()));
    }

    @Test
    void sessionBoundKeysReachOnlyTheirSessions() {
        Caller acme = authentication.authenticate(organizations.create("Acme").apiKey().value());
        Instance instance = instances.register(RegisterInstanceCommand.of(acme, "a", "http://10.0.0.1", "t"));
        NewApiKey bound = keys.create(scoped(acme, List.of(instance.id().toString()), List.of("interact"), List.of("vip"), Optional.of("user-42/")));
        Caller caller = authentication.authenticate(bound.secret().value());
        caller.requireSession(SessionId.of("vip"));
        caller.requireSession(SessionId.of("user-42/chat-1"));
        assertCode(() -> caller.requireSession(SessionId.of("user-43/chat-1")), ErrorCode.PERMISSION_DENIED);
        assertCode(() -> caller.requireSession(SessionId.MAIN), ErrorCode.PERMISSION_DENIED);
        assertCode(() -> caller.requireSession(SessionId.of("VIP")), ErrorCode.PERMISSION_DENIED);
    }

    @Test
    void aKeyBoundToSessionsCannotBeGivenAPermissionThatReachesEverySession() {
        Caller acme = authentication.authenticate(organizations.create("Acme").apiKey().value());
        String id = instances.register(RegisterInstanceCommand.of(acme, "a", "http://10.0.0.1", "t")).id().toString();
        for (String permission : List.of("configure", "files", "channels")) {
            for (CreateApiKeyCommand bound : List.of(
                    scoped(acme, List.of(id), List.of("interact", permission), List.of("user-42"), Optional.empty()),
                    scoped(acme, List.of(id), List.of("interact", permission), List.of(), Optional.of("user-42/")))) {
                assertThatThrownBy(() -> keys.create(bound)).as(permission).isInstanceOfSatisfying(ChowderException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.VALIDATION_FAILED);
                    assertThat(e.getMessage()).contains("permissions", "session_ids", "session_prefix", "the " + permission + " permission");
                });
            }
        }
        assertThat(store.keys).as("nothing was stored").hasSize(1);
        assertThatThrownBy(() -> keys.create(scoped(acme, List.of(id), List.of("configure"), List.of(), Optional.of("user-42/"))))
                .hasMessage("permissions: a key bound to sessions (session_ids, session_prefix) cannot have the configure permission: "
                        + "it could re-point the instance's gateway and read other sessions.");
        // Unbound keys keep every permission; bound keys keep those that stay within their sessions.
        keys.create(scoped(acme, List.of(id), List.of("read", "interact", "configure", "files", "channels"), List.of(), Optional.empty()));
        keys.create(scoped(acme, List.of(id), List.of("read", "interact"), List.of("user-42"), Optional.of("user-42/")));
    }

    @Test
    void aKeyStoredBoundToSessionsWithConfigureOrFilesIsRefusedThemAtUse() {
        Caller acme = authentication.authenticate(organizations.create("Acme").apiKey().value());
        Instance instance = instances.register(RegisterInstanceCommand.of(acme, "a", "http://10.0.0.1", "t"));
        // As a key created before the combination was refused would have been stored.
        ApiKeySecret secret = ApiKeySecret.generate(ApiKeyKind.SCOPED, new SecureRandom());
        store.keys.add(ApiKey.issue(acme.organizationId(), "old", secret, new KeyScope(Map.of(instance.id(),
                Set.of(Permission.READ, Permission.INTERACT, Permission.CONFIGURE, Permission.FILES)), Set.of(), Optional.of("user-42/")),
                Optional.empty(), NOW));
        Caller caller = authentication.authenticate(secret.value());

        assertThatThrownBy(() -> instances.update(new UpdateInstanceCommand(caller, instance.id(), Optional.empty(),
                Optional.of("http://10.6.6.6"), Optional.of("attacker"), Optional.empty())))
                .isInstanceOfSatisfying(ChowderException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.PERMISSION_DENIED);
                    assertThat(e.getMessage()).contains("bound to sessions", "'configure'");
                });
        assertThat(instances.get(acme, instance.id()).gatewayUrl().value()).hasToString("http://10.0.0.1");
        assertCode(() -> caller.requirePermission(instance.id(), Permission.FILES), ErrorCode.PERMISSION_DENIED);
        caller.requirePermission(instance.id(), Permission.INTERACT);
        assertThat(instances.get(caller, instance.id()).id()).isEqualTo(instance.id());
    }

    @Test
    void badInputNamesTheField() {
        Caller acme = authentication.authenticate(organizations.create("Acme").apiKey().value());
        Caller globex = authentication.authenticate(organizations.create("Globex").apiKey().value());
        String id = instances.register(RegisterInstanceCommand.of(acme, "a", "http://10.0.0.1", "t")).id().toString();
        String foreign = instances.register(RegisterInstanceCommand.of(globex, "g", "http://10.0.0.1", "t")).id().toString();
        assertMessage(() -> keys.create(scoped(acme, List.of(id), List.of("admin"), List.of(), Optional.empty())), "permissions");
        assertMessage(() -> keys.create(scoped(acme, List.of(foreign), List.of("read"), List.of(), Optional.empty())), "instance_ids");
        assertMessage(() -> keys.create(scoped(acme, List.of("nope"), List.of("read"), List.of(), Optional.empty())), "instance_ids");
        assertMessage(() -> keys.create(scoped(acme, List.of(), List.of("read"), List.of(), Optional.empty())), "instance_ids");
        assertMessage(() -> keys.create(new CreateApiKeyCommand(acme, ApiKeyKind.SCOPED, "k", List.of(id), List.of("read"),
                Optional.of("2020-01-01T00:00:00Z"), List.of(), Optional.empty())), "expires_at");
        assertMessage(() -> keys.create(new CreateApiKeyCommand(acme, ApiKeyKind.SCOPED, "k", List.of(id), List.of("read"),
                Optional.of("tomorrow"), List.of(), Optional.empty())), "expires_at");
        assertMessage(() -> keys.create(new CreateApiKeyCommand(acme, ApiKeyKind.SCOPED, "", List.of(id), List.of("read"),
                Optional.empty(), List.of(), Optional.empty())), "name");
        assertMessage(() -> keys.create(new CreateApiKeyCommand(acme, ApiKeyKind.SCOPED, "x".repeat(129), List.of(id), List.of("read"),
                Optional.empty(), List.of(), Optional.empty())), "name");
    }

    @Test
    void revocationAndExpiryApplyToTheNextRequestAndLastUseIsCoalesced() {
        NewOrganizationFixture acme = new NewOrganizationFixture();
        String raw = acme.rawKey;
        authentication.authenticate(raw);
        authentication.authenticate(raw);
        assertThat(store.keys.getFirst().lastUsedAt()).as("no write per request").isEmpty();
        usage.flush();
        assertThat(store.keys.getFirst().lastUsedAt()).contains(NOW);

        Caller caller = authentication.authenticate(raw);
        keys.revoke(caller, caller.keyId());
        assertCode(() -> authentication.authenticate(raw), ErrorCode.INVALID_API_KEY);
    }

    private final class NewOrganizationFixture {
        final String rawKey = organizations.create("Fixture").apiKey().value();
    }

    private static CreateApiKeyCommand scoped(Caller caller, List<String> instanceIds, List<String> permissions, List<String> sessions,
            Optional<String> prefix) {
        return new CreateApiKeyCommand(caller, ApiKeyKind.SCOPED, "scoped", instanceIds, permissions, Optional.empty(), sessions, prefix);
    }

    private static void assertCode(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, ErrorCode code) {
        assertThatThrownBy(call).isInstanceOfSatisfying(ChowderException.class, e -> assertThat(e.code()).isEqualTo(code));
    }

    private static void assertMessage(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String field) {
        assertThatThrownBy(call).isInstanceOfSatisfying(ChowderException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.VALIDATION_FAILED);
            assertThat(e.getMessage()).contains(field);
        });
    }
}
