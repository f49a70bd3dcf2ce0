package chowder.adapter.persistence;

import static java.util.Objects.requireNonNull;

import chowder.application.port.out.SaveOrganizationPort;
import chowder.domain.ApiKey;
import chowder.domain.Organization;
import org.jdbi.v3.core.Jdbi;

/** Stores organizations with their first key in one transaction. */
final class JdbiOrganizationRepository implements SaveOrganizationPort {
    private final Jdbi jdbi;

    JdbiOrganizationRepository(Jdbi jdbi) {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
    }

    @Override
    public void insertWithKey(Organization organization, ApiKey firstKey) {
        jdbi.useTransaction(handle -> {
            handle.attach(OrganizationDao.class).insert(new OrganizationDao.OrganizationRow(
                    organization.id().value(), organization.name(), organization.createdAt(), organization.updatedAt()));
            handle.attach(ApiKeyDao.class).insert(JdbiApiKeyRepository.toRow(firstKey));
        });
    }
}
