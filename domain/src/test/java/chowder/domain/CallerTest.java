package chowder.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CallerTest {
    private final OrganizationId acme = OrganizationId.random();
    private final InstanceId granted = InstanceId.random();
    private final InstanceId other = InstanceId.random();

    @Test
    void anOrganizationKeyMayDoEverythingOnItsOrganizationsInstancesAndOwnsNothingElse() {
        Caller owner = new Caller(acme, ApiKeyId.random(), ApiKeyKind.ORGANIZATION, false, KeyScope.UNRESTRICTED);
        for (Permission permission : Permission.values()) {
            assertThatCode(() -> owner.requirePermission(other, permission)).doesNotThrowAnyException();
        }
        assertThatCode(owner::requireOrganizationKey).doesNotThrowAnyException();
        assertThat(owner.owns(acme)).isTrue();
        assertThat(owner.owns(OrganizationId.random())).isFalse();
        assertThat(owner.actsForAllOrganizations()).isFalse();
    }

    @Test
    void aScopedKeyDoesNotSeeAnInstanceItWasNotGrantedAndIsRefusedAPermissionItLacks() {
        Caller scoped = scoped(new KeyScope(Map.of(granted, Set.of(Permission.READ, Permission.INTERACT)), Set.of(), Optional.empty()));
        assertThatCode(() -> scoped.requirePermission(granted, Permission.INTERACT)).doesNotThrowAnyException();
        assertCode(() -> scoped.requirePermission(other, Permission.READ), ErrorCode.INSTANCE_NOT_FOUND);
        assertCode(() -> scoped.requirePermission(granted, Permission.FILES), ErrorCode.PERMISSION_DENIED);
        assertCode(scoped::requireOrganizationKey, ErrorCode.PERMISSION_DENIED);
    }

    @Test
    void aKeyBoundToSessionsUsesOnlyThoseAndNoPermissionThatReachesEverySession() {
        Caller bound = scoped(new KeyScope(Map.of(granted, Set.of(Permission.INTERACT, Permission.FILES)), Set.of(SessionId.of("alice")),
                Optional.of("team-")));
        assertThatCode(() -> bound.requireSession(SessionId.of("alice"))).doesNotThrowAnyException();
        assertThatCode(() -> bound.requireSession(SessionId.of("team-7"))).doesNotThrowAnyException();
        assertCode(() -> bound.requireSession(SessionId.of("bob")), ErrorCode.PERMISSION_DENIED);
        assertCode(() -> bound.requireSession(SessionId.MAIN), ErrorCode.PERMISSION_DENIED);
        assertThatCode(() -> bound.requirePermission(granted, Permission.INTERACT)).doesNotThrowAnyException();
        assertThatThrownBy(() -> bound.requirePermission(granted, Permission.FILES))
                .hasMessageContaining("bound to sessions").hasMessageContaining("files");
    }

    @Test
    void theOperatorActsForOneOrganizationOrForAll() {
        Caller forAcme = Caller.operatorFor(acme);
        assertThat(forAcme.owns(OrganizationId.random())).isTrue();
        assertThat(forAcme.actsForAllOrganizations()).isFalse();
        assertThat(Caller.allOrganizations().actsForAllOrganizations()).isTrue();
        assertThatCode(forAcme::requireOrganizationKey).doesNotThrowAnyException();
    }

    private Caller scoped(KeyScope scope) {
        return new Caller(acme, ApiKeyId.random(), ApiKeyKind.SCOPED, false, scope);
    }

    private static void assertCode(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, ErrorCode code) {
        assertThatThrownBy(call).isInstanceOfSatisfying(ChowderException.class, e -> assertThat(e.code()).isEqualTo(code));
    }
}
