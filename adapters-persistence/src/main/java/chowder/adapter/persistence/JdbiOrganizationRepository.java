package chowder.adapter.persistence;

import static java.util.Objects.requireNonNull;

import chowder.application.port.out.LoadOrganizationPort;
import chowder.application.port.out.SaveOrganizationPort;
import chowder.domain.ApiKey;
import chowder.domain.Organization;
import chowder.domain.OrganizationId;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** Stores organizations; a new one together with its first key, in one transaction. */
final class JdbiOrganizationRepository implements LoadOrganizationPort, SaveOrganizationPort {
    private final Jdbi jdbi;

    JdbiOrganizationRepository(Jdbi jdbi) {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
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
        jdbi.useExtension(OrganizationDao.class, dao -> dao.update(toRow(organization)));
    }

    @Override
    public Optional<Organization> findById(OrganizationId id) {
        return jdbi.withExtension(OrganizationDao.class, dao -> dao.findById(id.value())).map(JdbiOrganizationRepository::fromRow);
    }

    @Override
    public List<Organization> listOrganizations() {
        return jdbi.withExtension(OrganizationDao.class, OrganizationDao::listAll).stream().map(JdbiOrganizationRepository::fromRow).toList();
    }

    private static OrganizationDao.OrganizationRow toRow(Organization organization) {
        return new OrganizationDao.OrganizationRow(organization.id().value(), organization.name(), organization.createdAt(),
                organization.updatedAt());
    }

    private static Organization fromRow(OrganizationDao.OrganizationRow row) {
        return new Organization(new OrganizationId(row.id()), row.name(), row.createdAt(), row.updatedAt());
    }
}
