package chowder.adapter.persistence;

import static java.util.Objects.requireNonNull;

import chowder.application.port.out.ModelKeysPort;
import chowder.domain.ModelApiKey;
import chowder.domain.ModelProviderName;
import chowder.domain.OrganizationId;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/**
 * Organizations' model keys, encrypted at rest. Each model call reads its organization's key, so an organization's
 * keys are cached (still encrypted) per node, coherently: a changed or removed key is gone from every node's cache
 * before the change returns.
 */
final class JdbiModelKeyStore implements ModelKeysPort {
    private final Jdbi jdbi;
    private final ChangeFeed changes;
    private final ModelKeyCipher cipher;
    private final CoherentCache<OrganizationId, Map<ModelProviderName, String>> byOrganization;

    JdbiModelKeyStore(Jdbi jdbi, ChangeFeed changes, ModelKeyCipher cipher, long cacheSize) {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
        this.changes = requireNonNull(changes, "changes is null");
        this.cipher = requireNonNull(cipher, "cipher is null");
        this.byOrganization = changes.cache("model_keys", StoreChange.Kind.ORGANIZATION, cacheSize,
                subject -> new OrganizationId(UUID.fromString(subject)));
    }

    @Override
    public Set<ModelProviderName> providersOf(OrganizationId organization) {
        return encrypted(organization).keySet();
    }

    @Override
    public Optional<ModelApiKey> keyOf(OrganizationId organization, ModelProviderName provider) {
        return Optional.ofNullable(encrypted(organization).get(provider)).map(stored -> cipher.decrypt(organization, provider, stored));
    }

    @Override
    public void change(OrganizationId organization, Map<ModelProviderName, Optional<ModelApiKey>> keyChanges) {
        Instant now = Instant.now();
        changes.inTransaction((handle, publish) -> {
            ModelKeyDao dao = handle.attach(ModelKeyDao.class);
            // H2 and PostgreSQL share no upsert: two PATCHes of one key at once both found no row and both inserted, and
            // the second failed on the primary key. The organization's row lock makes update-then-insert safe.
            handle.attach(OrganizationDao.class).lock(organization.value());
            keyChanges.forEach((provider, key) -> {
                if (key.isEmpty()) {
                    dao.delete(organization.value(), provider.value());
                    return;
                }
                String sealed = cipher.encrypt(organization, provider, key.get());
                if (dao.update(organization.value(), provider.value(), sealed, now) == 0) {
                    dao.insert(organization.value(), provider.value(), sealed, now);
                }
            });
            publish.accept(StoreChange.organization(organization));
            return null;
        });
    }

    private Map<ModelProviderName, String> encrypted(OrganizationId organization) {
        // Never empty-handed: an organization without keys is cached as such (its row set is what changes publish).
        return byOrganization.get(organization, id -> Optional.of(load(id))).orElseThrow();
    }

    private Map<ModelProviderName, String> load(OrganizationId organization) {
        Map<ModelProviderName, String> keys = new TreeMap<>();
        jdbi.withExtension(ModelKeyDao.class, dao -> dao.keysOf(organization.value()))
                .forEach(row -> keys.put(new ModelProviderName(row.provider()), row.keyEncrypted()));
        return Map.copyOf(keys);
    }
}
