package chowder.adapter.persistence;

import static java.util.Objects.requireNonNull;

import chowder.application.port.out.LoadOrganizationPort;
import chowder.application.port.out.SaveOrganizationPort;
import chowder.domain.ApiKey;
import chowder.domain.Organization;
import chowder.domain.OrganizationId;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/**
 * Stores organizations; a new one together with its first key, in one transaction. Lookups by id — one per
 * authenticated request, for its suspension — are cached; a rename or a suspension drops the cache on every node before
 * it returns.
 */
final class JdbiOrganizationRepository implements LoadOrganizationPort, SaveOrganizationPort {
    private final Jdbi jdbi;
    private final ChangeFeed changes;
    private final CoherentCache<OrganizationId, Organization> byId;

    JdbiOrganizationRepository(Jdbi jdbi, ChangeFeed changes, long cacheSize) {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
        this.changes = requireNonNull(changes, "changes is null");
        // A new organization needs no invalidation: only found organizations are cached.
        this.byId = changes.cache("organizations", StoreChange.Kind.ORGANIZATION, cacheSize,
                subject -> new OrganizationId(UUID.fromString(subject)));
    }

    @Override
    public void insertWithKey(Organization organization, ApiKey firstKey) {
        jdbi.useTransaction(handle -> {
            handle.attach(OrganizationDao.class).insert(toRow(organization));
            JdbiApiKeyRepository.insert(handle, firstKey);
        });
    }

    @Override
    public void update(Organization organization) {
        changes.inTransaction((handle, publish) -> {
            if (handle.attach(OrganizationDao.class).update(toRow(organization)) == 1) {
                publish.accept(StoreChange.organization(organization.id()));
            }
            return null;
        });
    }

    @Override
    public void updateSuspension(Organization organization) {
        changes.inTransaction((handle, publish) -> {
            if (handle.attach(OrganizationDao.class).updateSuspension(toRow(organization)) == 1) {
                publish.accept(StoreChange.organization(organization.id()));
            }
            return null;
        });
    }

    @Override
    public Optional<Organization> findById(OrganizationId id) {
        return byId.get(id, key -> jdbi.withExtension(OrganizationDao.class, dao -> dao.findById(key.value()))
                .map(JdbiOrganizationRepository::fromRow));
    }

    @Override
    public List<Organization> listOrganizations() {
        return jdbi.withExtension(OrganizationDao.class, OrganizationDao::listAll).stream().map(JdbiOrganizationRepository::fromRow).toList();
    }

    private static OrganizationDao.OrganizationRow toRow(Organization organization) {
        return new OrganizationDao.OrganizationRow(organization.id().value(), organization.name(), organization.createdAt(),
                organization.updatedAt(), organization.suspendedAt().orElse(null));
    }

    private static Organization fromRow(OrganizationDao.OrganizationRow row) {
        return new Organization(new OrganizationId(row.id()), row.name(), row.createdAt(), row.updatedAt(),
                Optional.ofNullable(row.suspendedAt()));
    }
}
