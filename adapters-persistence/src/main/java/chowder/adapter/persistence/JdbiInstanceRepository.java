package chowder.adapter.persistence;

import static java.util.Objects.requireNonNull;

import chowder.application.port.out.LoadInstancePort;
import chowder.application.port.out.SaveInstancePort;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.GatewayHosting;
import chowder.domain.GatewayToken;
import chowder.domain.GatewayUrl;
import chowder.domain.Instance;
import chowder.domain.InstanceId;
import chowder.domain.InstanceSettings;
import chowder.domain.InstanceStatus;
import chowder.domain.OrganizationId;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stores instances, encrypting their gateway token on the way in and decrypting it on the way out.
 * Lookups by id are cached; every update drops the instance from the cache of every node before it returns.
 */
final class JdbiInstanceRepository implements LoadInstancePort, SaveInstancePort {
    private static final Logger log = LoggerFactory.getLogger(JdbiInstanceRepository.class);
    /**
     * How long after its deletion an unused instance is purged at the earliest: long after anything admitted before the
     * deletion (a turn's session, a model call's usage, flushed within seconds) could still be written.
     */
    static final Duration PURGE_AFTER = Duration.ofHours(1);
    private static final String PURGE_SAVEPOINT = "purge_deleted_instances";
    /** Every table with a foreign key to instances, but sessions (an instance with a session is never purged). */
    static final List<String> TABLES_REFERRING_TO_INSTANCES = List.of(
            "api_key_instances", "instance_skill_settings", "instance_channel_settings", "session_limits");
    private final Jdbi jdbi;
    private final GatewayTokenCipher cipher;
    private final ChangeFeed changes;
    private final CoherentCache<InstanceId, Instance> byId;

    JdbiInstanceRepository(Jdbi jdbi, GatewayTokenCipher cipher, ChangeFeed changes, long cacheSize) {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
        this.cipher = requireNonNull(cipher, "cipher is null");
        this.changes = requireNonNull(changes, "changes is null");
        // New instances need no invalidation: only found instances are cached, and ids are fresh UUIDs.
        this.byId = changes.cache("instances", StoreChange.Kind.INSTANCE, cacheSize, subject -> new InstanceId(UUID.fromString(subject)));
    }

    @Override
    public boolean insertWithinLimit(Instance instance, int maxPerOrganization) {
        InstanceDao.InstanceRow row = toRow(instance);
        UUID organization = instance.organizationId().value();
        return jdbi.inTransaction(handle -> {
            InstanceDao dao = handle.attach(InstanceDao.class);
            // The organization's row serialises concurrent registrations, so the count stays true.
            handle.attach(OrganizationDao.class).lock(organization);
            purgeDeletedAndNeverUsed(handle, organization, instance.createdAt().minus(PURGE_AFTER));
            if (maxPerOrganization > 0 && dao.countNotTerminated(organization) >= maxPerOrganization) {
                return false;
            }
            dao.insert(row);
            return true;
        });
    }

    /**
     * Deletes the rows of the organization's instances deleted before {@code deletedBefore} that never served a turn nor
     * made a model call, with what refers to them: otherwise registering and deleting in a loop would grow the table,
     * and every listing that reads it, without end. A deleted instance that was used stays, for the usage it is named
     * in. No change is published: a cached copy says it is terminated, which is refused just as an unknown instance is.
     * Best effort: a failure (a session written at that very moment, say) is logged and leaves the new instance be.
     */
    private static void purgeDeletedAndNeverUsed(Handle handle, UUID organization, Instant deletedBefore) {
        List<UUID> purged = handle.attach(InstanceDao.class).deletedAndNeverUsed(organization, deletedBefore);
        if (purged.isEmpty()) {
            return;
        }
        handle.savepoint(PURGE_SAVEPOINT);
        try {
            for (String table : TABLES_REFERRING_TO_INSTANCES) {
                PreparedBatch batch = handle.prepareBatch("DELETE FROM " + table + " WHERE instance_id = :id");
                purged.forEach(id -> batch.bind("id", id).add());
                batch.execute();
            }
            PreparedBatch instances = handle.prepareBatch("DELETE FROM instances WHERE id = :id");
            purged.forEach(id -> instances.bind("id", id).add());
            instances.execute();
            handle.releaseSavepoint(PURGE_SAVEPOINT);
        } catch (JdbiException e) {
            handle.rollbackToSavepoint(PURGE_SAVEPOINT);
            log.warn("Could not purge {} deleted instance(s) of organization {}: {}", purged.size(), organization, e.getMessage());
        }
    }

    @Override
    public boolean updateIfUnchanged(Instance updated, Instance current) {
        InstanceDao.InstanceRow row = toRow(updated);
        boolean written = changes.inTransaction((handle, publish) -> {
            if (handle.attach(InstanceDao.class).updateIfUnchanged(row, current.status().wireName(), current.updatedAt()) != 1) {
                return false;
            }
            publish.accept(StoreChange.instance(updated.id()));
            return true;
        });
        if (!written) {
            // The caller read a stale copy, perhaps from this cache: its retry must read the database.
            byId.invalidate(updated.id());
        }
        return written;
    }

    @Override
    public Optional<Instance> findById(InstanceId id) {
        return byId.get(id, key -> jdbi.withExtension(InstanceDao.class, dao -> dao.findById(key.value())).map(this::fromRow));
    }

    @Override
    public List<Instance> listByOrganization(OrganizationId organizationId) {
        return fromRows(jdbi.withExtension(InstanceDao.class, dao -> dao.listByOrganization(organizationId.value())));
    }

    @Override
    public List<Instance> listAll() {
        return fromRows(jdbi.withExtension(InstanceDao.class, InstanceDao::listAll));
    }

    @Override
    public List<Instance> listProbed() {
        return fromRows(jdbi.withExtension(InstanceDao.class, InstanceDao::listProbed));
    }

    private InstanceDao.InstanceRow toRow(Instance instance) {
        InstanceSettings settings = instance.settings();
        return new InstanceDao.InstanceRow(instance.id().value(), instance.organizationId().value(), instance.name(),
                instance.status().wireName(), instance.gatewayUrl().toString(), cipher.encrypt(instance.id(), instance.gatewayToken()),
                instance.hosting().wireName(),
                settings.modelProvider().orElse(null), settings.openclawConfigJson().orElse(null), settings.region().orElse(null),
                instance.errorMessage().orElse(null), instance.createdAt(), instance.updatedAt());
    }

    private List<Instance> fromRows(List<InstanceDao.InstanceRow> rows) {
        return rows.stream().map(this::fromRow).toList();
    }

    private Instance fromRow(InstanceDao.InstanceRow row) {
        InstanceId id = new InstanceId(row.id());
        GatewayToken token;
        try {
            token = cipher.decrypt(id, row.gatewayTokenEncrypted());
        } catch (IllegalStateException e) {
            // A key rotated under this running node (or nodes with different keys): not ready, a 503 saying what to do.
            log.warn("Not ready: {}", e.getMessage());
            throw new ChowderException(ErrorCode.NOT_READY, "Not ready: " + e.getMessage() + "; restart this node with the key the database uses.");
        }
        return new Instance(id, new OrganizationId(row.organizationId()), row.name(), InstanceStatus.fromWireName(row.status()),
                new GatewayUrl(URI.create(row.gatewayUrl())), token,
                GatewayHosting.fromWireName(row.sandboxProvider()),
                new InstanceSettings(Optional.ofNullable(row.modelProvider()), Optional.ofNullable(row.openclawConfig()),
                        Optional.ofNullable(row.region())),
                Optional.ofNullable(row.errorMessage()), row.createdAt(), row.updatedAt());
    }
}
