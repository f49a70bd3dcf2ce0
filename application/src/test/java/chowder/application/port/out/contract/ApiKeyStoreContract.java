package chowder.application.port.out.contract;

import static org.assertj.core.api.Assertions.assertThat;

import chowder.application.port.out.LoadApiKeyPort;
import chowder.application.port.out.SaveApiKeyPort;
import chowder.application.port.out.SaveOrganizationPort;
import chowder.domain.ApiKey;
import chowder.domain.ApiKeyKind;
import chowder.domain.ApiKeySecret;
import chowder.domain.Instance;
import chowder.domain.KeyScope;
import chowder.domain.Organization;
import chowder.domain.Permission;
import chowder.domain.SessionId;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The contract of the API key ports: found by hash or id, scopes kept, last use never moving back, revocation. */
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
        port(SaveApiKeyPort.class).insert(key);

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
}
