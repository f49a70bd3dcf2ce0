package chowder.application.service;

import static chowder.application.service.ServiceHarness.NOW;
import static chowder.application.service.ServiceHarness.assertCode;
import static org.assertj.core.api.Assertions.assertThat;

import chowder.application.port.in.NewOrganization;
import chowder.domain.ApiKey;
import chowder.domain.ApiKeyKind;
import chowder.domain.ApiKeySecret;
import chowder.domain.Caller;
import chowder.domain.ErrorCode;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A key authenticates its organization while it is active and unexpired; only its hash is kept. */
class AuthenticationServiceTest {
    private final ServiceHarness h = new ServiceHarness();

    @Test
    void aNewOrganizationKeyAuthenticatesAndOnlyItsHashIsStored() {
        NewOrganization acme = h.organizations.create("  Acme  ");
        assertThat(acme.organization().name()).isEqualTo("Acme");
        Caller caller = h.authentication.authenticate(acme.apiKey().value());
        assertThat(caller.organizationId()).isEqualTo(acme.organization().id());
        assertThat(h.store.keys).singleElement().satisfies(key -> {
            assertThat(key.hash()).isEqualTo(acme.apiKey().hash());
            assertThat(key.toString()).doesNotContain(acme.apiKey().value());
        });
    }

    @Test
    void rejectsMissingMalformedUnknownRevokedAndExpiredKeys() {
        assertCode(() -> h.authentication.authenticate(null), ErrorCode.MISSING_API_KEY);
        assertCode(() -> h.authentication.authenticate(" "), ErrorCode.MISSING_API_KEY);
        assertCode(() -> h.authentication.authenticate("chd_org_nope"), ErrorCode.INVALID_API_KEY);
        assertCode(() -> h.authentication.authenticate(ApiKeySecret.generate(ApiKeyKind.ORGANIZATION, new SecureRandom()).value()),
                ErrorCode.INVALID_API_KEY);

        NewOrganization acme = h.organizations.create("Acme");
        ApiKey stored = h.store.keys.getFirst();
        h.store.keys.set(0, new ApiKey(stored.id(), stored.organizationId(), stored.name(), stored.kind(), stored.keyPrefix(),
                stored.hash(), false, Optional.empty(), Optional.empty(), stored.createdAt(), stored.scope()));
        assertCode(() -> h.authentication.authenticate(acme.apiKey().value()), ErrorCode.INVALID_API_KEY);

        h.store.keys.set(0, new ApiKey(stored.id(), stored.organizationId(), stored.name(), stored.kind(), stored.keyPrefix(),
                stored.hash(), true, Optional.of(NOW), Optional.empty(), stored.createdAt(), stored.scope()));
        assertCode(() -> h.authentication.authenticate(acme.apiKey().value()), ErrorCode.INVALID_API_KEY);

        h.store.keys.set(0, new ApiKey(stored.id(), stored.organizationId(), stored.name(), stored.kind(), stored.keyPrefix(),
                stored.hash(), true, Optional.of(NOW.plus(Duration.ofSeconds(1))), Optional.empty(), stored.createdAt(), stored.scope()));
        assertThat(h.authentication.authenticate(acme.apiKey().value()).organizationId()).isEqualTo(acme.organization().id());
    }
}
