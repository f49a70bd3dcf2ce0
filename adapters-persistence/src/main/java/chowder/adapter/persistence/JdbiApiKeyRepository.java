package chowder.adapter.persistence;

import static java.util.Objects.requireNonNull;

import chowder.application.port.out.LoadApiKeyPort;
import chowder.application.port.out.SaveApiKeyPort;
import chowder.domain.ApiKey;
import chowder.domain.ApiKeyHash;
import chowder.domain.ApiKeyId;
import chowder.domain.ApiKeyKind;
import chowder.domain.InstanceId;
import chowder.domain.KeyScope;
import chowder.domain.OrganizationId;
import chowder.domain.Permission;
import chowder.domain.SessionId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Stores API keys (hash, display prefix, scope), never the raw key. Lookups by hash — one per request —
 * are cached; a revocation drops the cache on every node before it returns.
 */
final class JdbiApiKeyRepository implements LoadApiKeyPort, SaveApiKeyPort {
    // Session ids never contain control characters, so a newline separates them safely.
    private static final String SESSION_SEPARATOR = "\n";

    private final Jdbi jdbi;
    private final ChangeFeed changes;
    private final CoherentCache<ApiKeyHash, ApiKey> byHash;

    JdbiApiKeyRepository(Jdbi jdbi, ChangeFeed changes, long cacheSize) {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
        this.changes = requireNonNull(changes, "changes is null");
        // New keys need no invalidation: only found keys are cached, and a new key's hash was never looked up.
        this.byHash = changes.cache("api_keys", StoreChange.Kind.API_KEYS, cacheSize, subject -> null);
    }

    @Override
    public Optional<ApiKey> findByHash(ApiKeyHash hash) {
        return byHash.get(hash, key -> jdbi.withHandle(handle -> handle.attach(ApiKeyDao.class).findByHash(key.hex())
                .map(row -> withGrants(handle, row))));
    }

    @Override
    public Optional<ApiKey> findById(ApiKeyId id) {
        return jdbi.withHandle(handle -> handle.attach(ApiKeyDao.class).findById(id.value()).map(row -> withGrants(handle, row)));
    }

    @Override
    public List<ApiKey> listKeysOf(OrganizationId organizationId) {
        return jdbi.withHandle(handle -> {
            ApiKeyDao dao = handle.attach(ApiKeyDao.class);
            Map<UUID, List<ApiKeyDao.GrantRow>> grants = dao.grantsInOrganization(organizationId.value()).stream()
                    .collect(Collectors.groupingBy(ApiKeyDao.GrantRow::keyId));
            return dao.listByOrganization(organizationId.value()).stream()
                    .map(row -> fromRow(row, grants.getOrDefault(row.id(), List.of())))
                    .toList();
        });
    }

    @Override
    public boolean insertWithinLimit(ApiKey key, int maxPerOrganization) {
        return jdbi.inTransaction(handle -> {
            ApiKeyDao dao = handle.attach(ApiKeyDao.class);
            UUID organization = key.organizationId().value();
            // The organization's row serialises concurrent creations, so the count stays true.
            handle.attach(OrganizationDao.class).lock(organization);
            int excess = dao.countByOrganization(organization) - maxPerOrganization + 1;
            if (excess > 0) {
                List<UUID> spent = dao.oldestSpent(organization, key.createdAt(), excess);
                if (spent.size() < excess) {
                    return false;
                }
                // No change is published: caches may still hold these keys, but as revoked or expired, which is refused
                // just as an unknown key is.
                LimitSettingsDao limits = handle.attach(LimitSettingsDao.class);
                spent.forEach(limits::deleteKeyLimits);
                dao.deleteGrants(spent);
                dao.delete(spent);
            }
            insert(handle, key);
            return true;
        });
    }

    @Override
    public boolean revoke(ApiKeyId id) {
        return changes.inTransaction((handle, publish) -> {
            boolean revoked = handle.attach(ApiKeyDao.class).revoke(id.value()) == 1;
            if (revoked) {
                publish.accept(StoreChange.apiKeys());
            }
            return revoked;
        });
    }

    @Override
    public void recordLastUsed(Map<ApiKeyId, Instant> lastUsed) {
        List<UUID> ids = new ArrayList<>();
        List<Instant> times = new ArrayList<>();
        lastUsed.forEach((id, at) -> {
            ids.add(id.value());
            times.add(at);
        });
        jdbi.useExtension(ApiKeyDao.class, dao -> dao.recordLastUsed(ids, times));
    }

    /** Inserts the key and its grants on an open handle (also used for an organization's first key). */
    static void insert(Handle handle, ApiKey key) {
        ApiKeyDao dao = handle.attach(ApiKeyDao.class);
        KeyScope scope = key.scope();
        dao.insert(new ApiKeyDao.ApiKeyRow(key.id().value(), key.organizationId().value(), key.name(), key.kind().name(),
                key.keyPrefix(), key.hash().hex(), key.active(), key.expiresAt().orElse(null), key.lastUsedAt().orElse(null),
                key.createdAt(),
                scope.sessionIds().isEmpty() ? null
                        : scope.sessionIds().stream().map(SessionId::value).sorted().collect(Collectors.joining(SESSION_SEPARATOR)),
                scope.sessionPrefix().orElse(null)));
        dao.insertGrants(scope.instances().entrySet().stream()
                .map(grant -> new ApiKeyDao.GrantRow(key.id().value(), grant.getKey().value(),
                        grant.getValue().stream().map(Permission::wireName).sorted().collect(Collectors.joining(","))))
                .toList());
    }

    private static ApiKey withGrants(Handle handle, ApiKeyDao.ApiKeyRow row) {
        return fromRow(row, handle.attach(ApiKeyDao.class).grantsOf(row.id()));
    }

    private static ApiKey fromRow(ApiKeyDao.ApiKeyRow row, List<ApiKeyDao.GrantRow> grants) {
        Map<InstanceId, Set<Permission>> instances = grants.stream().collect(Collectors.toMap(
                grant -> new InstanceId(grant.instanceId()),
                grant -> Arrays.stream(grant.permissions().split(",")).map(Permission::fromWireName)
                        .collect(Collectors.toCollection(() -> EnumSet.noneOf(Permission.class)))));
        Set<SessionId> sessionIds = row.sessionIds() == null ? Set.of()
                : Arrays.stream(row.sessionIds().split(SESSION_SEPARATOR)).map(SessionId::of).collect(Collectors.toSet());
        return new ApiKey(new ApiKeyId(row.id()), new OrganizationId(row.organizationId()), row.name(),
                ApiKeyKind.valueOf(row.kind()), row.keyPrefix(), new ApiKeyHash(row.keyHash()), row.isActive(),
                Optional.ofNullable(row.expiresAt()), Optional.ofNullable(row.lastUsedAt()), row.createdAt(),
                new KeyScope(instances, sessionIds, Optional.ofNullable(row.sessionPrefix())));
    }
}
