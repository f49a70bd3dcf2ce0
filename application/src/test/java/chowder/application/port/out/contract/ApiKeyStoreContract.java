package chowder.application.port.out.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chowder.application.port.out.LimitSettingsPort;
import chowder.application.port.out.LoadApiKeyPort;
import chowder.application.port.out.SaveApiKeyPort;
import chowder.application.port.out.SaveOrganizationPort;
import chowder.application.service.KeyLimits;
import chowder.domain.ApiKey;
import chowder.domain.ApiKeyKind;
import chowder.domain.ApiKeySecret;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.Instance;
import chowder.domain.KeyScope;
import chowder.domain.Organization;
import chowder.domain.Permission;
import chowder.domain.SessionId;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The contract of the API key ports: found by hash or id, scopes kept, last use never moving back, revocation, and the
 * bound on the keys an organization holds.
 */
public abstract class ApiKeyStoreContract extends StoreContract {
    @Test
    void findsAKeyOnlyByTheHashOfTheRawKey() {
        ApiKeySecret secret = ApiKeySecret.generate(ApiKeyKind.ORGANIZATION, RANDOM);
        Organization organization = Organization.create("Acme", now);
        ApiKey key = ApiKey.issue(organization.id(), "default", secret, now);
        port(SaveOrganizationPort.class).insertWithKey(organization, key);

        LoadApiKeyPort keys = port(LoadApiKeyPort.class);
        assertThat(keys.findByHash(secret.hash())).contains(key);
        assertThat(keys.findByHash(ApiKeySecret.generate(ApiKeyKind.ORGANIZATION, RANDOM).hash())).isEmpty();
    }

    @Test
    void scopedKeysKeepTheirGrantsAndSessionBindingsAndRevocationSticks() {
        Organization acme = organization("Acme");
        Instance first = stored(acme, "first", "t");
        Instance second = stored(acme, "second", "t");
        KeyScope scope = new KeyScope(Map.of(first.id(), Set.of(Permission.READ, Permission.INTERACT), second.id(), Set.of(Permission.FILES)),
                Set.of(SessionId.of("user-42"), SessionId.of("a/b c")), Optional.of("tenant-7/"));
        ApiKeySecret secret = ApiKeySecret.generate(ApiKeyKind.SCOPED, RANDOM);
        ApiKey key = ApiKey.issue(acme.id(), "scoped", secret, scope, Optional.of(now.plusSeconds(3600)), now);
        port(SaveApiKeyPort.class).insertWithinLimit(key, KeyLimits.DEFAULT_MAX_PER_ORGANIZATION);

        LoadApiKeyPort keys = port(LoadApiKeyPort.class);
        assertThat(keys.findByHash(secret.hash())).contains(key);
        assertThat(keys.findById(key.id())).contains(key);
        assertThat(keys.listKeysOf(acme.id())).hasSize(2).contains(key);

        port(SaveApiKeyPort.class).recordLastUsed(Map.of(key.id(), now.plusSeconds(5)));
        port(SaveApiKeyPort.class).recordLastUsed(Map.of(key.id(), now.plusSeconds(2)));
        assertThat(keys.findById(key.id()).orElseThrow().lastUsedAt()).as("never moves back").contains(now.plusSeconds(5));
        assertThat(port(SaveApiKeyPort.class).revoke(key.id())).isTrue();
        assertThat(keys.findByHash(secret.hash()).orElseThrow().active()).isFalse();
    }

    @Test
    void aNewKeyBeyondTheBoundTakesTheRoomOfTheOldestRevokedOrExpiredKeysOnly() {
        Organization acme = organization("Acme");
        Organization globex = organization("Globex");
        Instance instance = stored(acme, "agent", "t");
        SaveApiKeyPort save = port(SaveApiKeyPort.class);
        LoadApiKeyPort load = port(LoadApiKeyPort.class);
        ApiKeySecret revokedSecret = ApiKeySecret.generate(ApiKeyKind.SCOPED, RANDOM);
        ApiKey revoked = ApiKey.issue(acme.id(), "revoked", revokedSecret, new KeyScope(Map.of(instance.id(), Set.of(Permission.READ)),
                Set.of(), Optional.empty()), Optional.empty(), now.plusSeconds(1));
        ApiKey expiring = scoped(acme, "expiring", instance, Optional.of(now.plusSeconds(60)), now.plusSeconds(2));
        ApiKey live = scoped(acme, "live", instance, Optional.empty(), now.plusSeconds(3));
        ApiKey foreignRevoked = ApiKey.issue(globex.id(), "foreign", ApiKeySecret.generate(ApiKeyKind.ORGANIZATION, RANDOM), now);
        for (ApiKey key : List.of(revoked, expiring, live, foreignRevoked)) {
            assertThat(save.insertWithinLimit(key, 4)).isTrue();
        }
        port(LimitSettingsPort.class).saveKeyLimits(acme.id(), revoked.id(), limits(1000, null, null));
        assertThat(save.revoke(revoked.id())).isTrue();
        assertThat(save.revoke(foreignRevoked.id())).isTrue();

        // Acme holds 4: its first key, the revoked one, one that expires at now+60 s and a live one.
        ApiKey fifth = scoped(acme, "fifth", instance, Optional.empty(), now.plusSeconds(10));
        assertThat(save.insertWithinLimit(fifth, 4)).isTrue();
        assertThat(load.findById(revoked.id())).as("the oldest revoked key gave way").isEmpty();
        assertThat(load.findByHash(revokedSecret.hash())).isEmpty();
        assertThatThrownBy(() -> port(LimitSettingsPort.class).saveKeyLimits(acme.id(), revoked.id(), limits(1, null, null)))
                .as("limits of a key that made room").isInstanceOfSatisfying(ChowderException.class,
                        error -> assertThat(error.code()).isEqualTo(ErrorCode.API_KEY_NOT_FOUND));
        assertThat(load.findById(expiring.id())).as("not yet expired at the new key's creation").isPresent();

        ApiKey sixth = scoped(acme, "sixth", instance, Optional.empty(), now.plusSeconds(30));
        assertThat(save.insertWithinLimit(sixth, 4)).as("nothing spent yet at now+30 s").isFalse();
        ApiKey seventh = scoped(acme, "seventh", instance, Optional.empty(), now.plusSeconds(70));
        assertThat(save.insertWithinLimit(seventh, 4)).as("the key that expired at now+60 s gives way").isTrue();
        assertThat(load.findById(expiring.id())).isEmpty();

        ApiKey eighth = scoped(acme, "eighth", instance, Optional.empty(), now.plusSeconds(80));
        assertThat(save.insertWithinLimit(eighth, 4)).as("four live keys: nothing to take the room of").isFalse();
        assertThat(load.findById(eighth.id())).isEmpty();
        assertThat(load.listKeysOf(acme.id())).extracting(ApiKey::name).containsExactly("seventh", "fifth", "live", "default");
        assertThat(load.findById(foreignRevoked.id())).as("another organization's revoked key is never touched").isPresent();
        assertThat(load.listKeysOf(globex.id())).hasSize(2);
    }

    @Test
    void aLoweredBoundTakesAsManySpentKeysAsItMustOrNone() {
        Organization acme = organization("Acme");
        Instance instance = stored(acme, "agent", "t");
        SaveApiKeyPort save = port(SaveApiKeyPort.class);
        assertThat(save.insertWithinLimit(scoped(acme, "live", instance, Optional.empty(), now.plusMillis(500)), 10)).isTrue();
        for (int i = 0; i < 3; i++) {
            ApiKey key = scoped(acme, "spent-" + i, instance, Optional.empty(), now.plusSeconds(i + 1));
            assertThat(save.insertWithinLimit(key, 10)).isTrue();
            assertThat(save.revoke(key.id())).isTrue();
        }
        // Five keys held (two live, three revoked), the bound lowered to 2: even without the three, the two live ones fill it.
        assertThat(save.insertWithinLimit(scoped(acme, "refused", instance, Optional.empty(), now.plusSeconds(9)), 2)).isFalse();
        assertThat(port(LoadApiKeyPort.class).listKeysOf(acme.id())).as("nothing deleted for a key that was refused").hasSize(5);
        assertThat(save.insertWithinLimit(scoped(acme, "fits", instance, Optional.empty(), now.plusSeconds(9)), 4)).isTrue();
        assertThat(port(LoadApiKeyPort.class).listKeysOf(acme.id())).extracting(ApiKey::name)
                .containsExactly("fits", "spent-2", "live", "default");
    }

    @Test
    void aKeyThatExpiresTheVeryInstantTheNewKeyIsMadeIsSpent() {
        Organization acme = organization("Acme");
        Instance instance = stored(acme, "agent", "t");
        SaveApiKeyPort save = port(SaveApiKeyPort.class);
        ApiKey expiring = scoped(acme, "expiring", instance, Optional.of(now.plusSeconds(60)), now.plusSeconds(1));
        assertThat(save.insertWithinLimit(expiring, 2)).isTrue();
        assertThat(save.insertWithinLimit(scoped(acme, "early", instance, Optional.empty(), now.plusMillis(59_999)), 2)).isFalse();
        assertThat(save.insertWithinLimit(scoped(acme, "on time", instance, Optional.empty(), now.plusSeconds(60)), 2))
                .as("as ApiKey.usableAt: no longer usable at its expiry").isTrue();
        assertThat(port(LoadApiKeyPort.class).findById(expiring.id())).isEmpty();
    }

    @Test
    void theKeyBoundHoldsUnderConcurrentCreation() throws Exception {
        Organization acme = organization("Acme");
        Instance instance = stored(acme, "agent", "t");
        SaveApiKeyPort save = port(SaveApiKeyPort.class);
        long stored = trueAtOnce(8, i -> save.insertWithinLimit(scoped(acme, "k" + i, instance, Optional.empty(), now), 4));
        assertThat(stored).isEqualTo(3);
        assertThat(port(LoadApiKeyPort.class).listKeysOf(acme.id())).hasSize(4);
    }

    private static ApiKey scoped(Organization organization, String name, Instance instance, Optional<Instant> expiresAt, Instant createdAt) {
        return ApiKey.issue(organization.id(), name, ApiKeySecret.generate(ApiKeyKind.SCOPED, RANDOM),
                new KeyScope(Map.of(instance.id(), Set.of(Permission.READ, Permission.INTERACT)), Set.of(), Optional.empty()), expiresAt, createdAt);
    }
}
