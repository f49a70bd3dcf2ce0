package chowder.adapter.persistence;

import static java.util.Objects.requireNonNull;

import chowder.application.port.out.LoadInstancePort;
import chowder.application.port.out.SaveInstancePort;
import chowder.domain.GatewayUrl;
import chowder.domain.Instance;
import chowder.domain.InstanceId;
import chowder.domain.InstanceStatus;
import chowder.domain.OrganizationId;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** Stores instances, encrypting their gateway token on the way in and decrypting it on the way out. */
final class JdbiInstanceRepository implements LoadInstancePort, SaveInstancePort {
    private final Jdbi jdbi;
    private final GatewayTokenCipher cipher;

    JdbiInstanceRepository(Jdbi jdbi, GatewayTokenCipher cipher) {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
        this.cipher = requireNonNull(cipher, "cipher is null");
    }

    @Override
    public void insert(Instance instance) {
        InstanceDao.InstanceRow row = new InstanceDao.InstanceRow(instance.id().value(), instance.organizationId().value(),
                instance.name(), instance.status().wireName(), instance.gatewayUrl().toString(),
                cipher.encrypt(instance.id(), instance.gatewayToken()), instance.errorMessage().orElse(null),
                instance.createdAt(), instance.updatedAt());
        jdbi.useExtension(InstanceDao.class, dao -> dao.insert(row));
    }

    @Override
    public Optional<Instance> findById(InstanceId id) {
        return jdbi.withExtension(InstanceDao.class, dao -> dao.findById(id.value())).map(this::fromRow);
    }

    @Override
    public List<Instance> listByOrganization(OrganizationId organizationId) {
        return jdbi.withExtension(InstanceDao.class, dao -> dao.listByOrganization(organizationId.value()))
                .stream().map(this::fromRow).toList();
    }

    private Instance fromRow(InstanceDao.InstanceRow row) {
        InstanceId id = new InstanceId(row.id());
        return new Instance(id, new OrganizationId(row.organizationId()), row.name(), InstanceStatus.fromWireName(row.status()),
                new GatewayUrl(URI.create(row.gatewayUrl())), cipher.decrypt(id, row.gatewayTokenEncrypted()),
                Optional.ofNullable(row.errorMessage()), row.createdAt(), row.updatedAt());
    }
}
