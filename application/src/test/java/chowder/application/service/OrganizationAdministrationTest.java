package chowder.application.service;

import static org.assertj.core.api.Assertions.assertThat;

import chowder.application.port.in.NewOrganization;
import chowder.application.port.in.PlanChange;
import chowder.domain.Caller;
import chowder.domain.ErrorCode;
import chowder.domain.Instance;
import chowder.domain.ModelTokens;
import chowder.domain.OrganizationId;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** The operator's administration: only the operator, and a suspension that stops an organization's keys and model calls. */
class OrganizationAdministrationTest extends ModelAccessFixture {
    private static final Caller OPERATOR = Caller.allOrganizations();
    private final SessionRegistry registry = new SessionRegistry(new InMemorySessions());
    private final OrganizationAdministrationService administration = new OrganizationAdministrationService(organizations, store, keys,
            limits, store, new InMemorySessions(), registry, clock);

    @Test
    void aSuspensionRefusesTheOrganizationsKeysAndModelCallsUntilItIsResumedAndTouchesNoOtherOrganization() {
        NewOrganization acme = administration.create(OPERATOR, "Acme");
        NewOrganization globex = administration.create(OPERATOR, "Globex");
        ModelAccessService access = access(true);
        Instance acmeBot = instances(access).register(provisioned(callerOf(acme), "local"));
        Instance globexBot = instances(access).register(provisioned(callerOf(globex), "local"));
        String second = administration.issueKey(OPERATOR, acme.organization().id(), "second").secret().value();
        OrganizationId id = acme.organization().id();

        var suspended = administration.update(OPERATOR, id, Optional.empty(), Optional.of(true));
        assertThat(suspended.organization().suspendedAt()).contains(NOW);
        for (String key : new String[] {acme.apiKey().value(), second}) {
            assertCode(() -> authentication.authenticate(key), ErrorCode.ORGANIZATION_SUSPENDED);
        }
        assertCode(() -> call(access, provisioner.credentialOf(acmeBot.id()), 10), ErrorCode.ORGANIZATION_SUSPENDED);
        assertThat(authentication.authenticate(globex.apiKey().value()).organizationId()).isEqualTo(globex.organization().id());
        call(access, provisioner.credentialOf(globexBot.id()), 10).finished(new ModelTokens(1, 1, 0));
        // Its instances keep running; the operator still sees and changes it, and a rename keeps it suspended.
        assertThat(store.findById(acmeBot.id()).orElseThrow().status()).isEqualTo(acmeBot.status());
        assertThat(administration.update(OPERATOR, id, Optional.of("Acme Corp"), Optional.empty()).organization().suspended()).isTrue();
        assertThat(administration.list(OPERATOR)).filteredOn(details -> details.organization().suspended())
                .extracting(details -> details.organization().id()).containsExactly(id);

        administration.update(OPERATOR, id, Optional.empty(), Optional.of(false));
        assertThat(authentication.authenticate(acme.apiKey().value()).organizationId()).isEqualTo(id);
        assertThat(authentication.authenticate(second).organizationId()).isEqualTo(id);
        call(access, provisioner.credentialOf(acmeBot.id()), 10).finished(new ModelTokens(1, 1, 0));
    }

    @Test
    void onlyTheOperatorActingForAllOrganizationsAdministers() {
        NewOrganization acme = administration.create(OPERATOR, "Acme");
        OrganizationId id = acme.organization().id();
        for (Caller caller : new Caller[] {callerOf(acme), Caller.operatorFor(id)}) {
            assertCode(() -> administration.list(caller), ErrorCode.PERMISSION_DENIED);
            assertCode(() -> administration.update(caller, id, Optional.empty(), Optional.of(true)), ErrorCode.PERMISSION_DENIED);
            assertCode(() -> administration.issueKey(caller, id, "k"), ErrorCode.PERMISSION_DENIED);
            assertCode(() -> administration.changePlan(caller, id, () -> PlanChange.NONE), ErrorCode.PERMISSION_DENIED);
        }
        assertThat(administration.get(OPERATOR, id).organization().suspended()).isFalse();
        assertCode(() -> administration.get(OPERATOR, OrganizationId.random()), ErrorCode.NOT_FOUND);
        assertCode(() -> administration.issueKey(OPERATOR, OrganizationId.random(), "k"), ErrorCode.NOT_FOUND);
        assertCode(() -> administration.usage(OPERATOR, OrganizationId.random(), Optional.empty(), Optional.empty()), ErrorCode.NOT_FOUND);
        assertThat(administration.changePlan(OPERATOR, id, () -> new PlanChange(Optional.of("team"), Optional.of(OptionalInt.of(2)),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty())).instanceLimit()).hasValue(2);
        assertThat(administration.get(OPERATOR, id).instanceLimit()).hasValue(2);
    }

    @Test
    void aPlanChangeIsAskedForOnlyOnceTheOrganizationIsFound() {
        // The admin API reads its body in the change: an unknown organization must be NOT_FOUND before any body error.
        assertCode(() -> administration.changePlan(OPERATOR, OrganizationId.random(), () -> {
            throw new AssertionError("the change of an unknown organization was asked for");
        }), ErrorCode.NOT_FOUND);
    }

    @Test
    void usageRefusesAWindowThatDoesNotEndAfterItStarts() {
        OrganizationId id = administration.create(OPERATOR, "Acme").organization().id();
        assertThat(administration.usage(OPERATOR, id, Optional.of(NOW.minusSeconds(1)), Optional.of(NOW)).turns()).isZero();
        assertCode(() -> administration.usage(OPERATOR, id, Optional.of(NOW), Optional.of(NOW)), ErrorCode.INVALID_REQUEST);
        // A start given without an end is measured against now, so one in the future is refused too.
        assertCode(() -> administration.usage(OPERATOR, id, Optional.of(NOW.plusSeconds(1)), Optional.empty()), ErrorCode.INVALID_REQUEST);
    }
}
