package chowder.application.service;

import chowder.application.port.out.LimitSettingsPort;
import chowder.application.port.out.LoadApiKeyPort;
import chowder.application.port.out.ModelKeysPort;
import chowder.application.port.out.LoadOrganizationPort;
import chowder.application.port.out.SaveApiKeyPort;
import chowder.application.port.out.LoadInstancePort;
import chowder.application.port.out.SaveInstancePort;
import chowder.application.port.out.SaveOrganizationPort;
import chowder.domain.ApiKey;
import chowder.domain.ApiKeyHash;
import chowder.domain.ApiKeyId;
import chowder.domain.Instance;
import chowder.domain.InstanceId;
import chowder.domain.InstanceStatus;
import chowder.domain.ModelApiKey;
import chowder.domain.ModelProviderName;
import chowder.domain.OrganizationPlan;
import chowder.domain.SessionLimits;
import chowder.domain.UsageLimits;
import chowder.domain.Organization;
import chowder.domain.OrganizationId;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.CopyOnWriteArrayList;

/** A fake of the stores, kept in thread-safe lists and maps. */
public final class InMemoryStore implements LoadApiKeyPort, SaveApiKeyPort, LoadInstancePort, SaveInstancePort, LoadOrganizationPort,
        SaveOrganizationPort, ModelKeysPort, LimitSettingsPort {
    public final List<Organization> organizations = new CopyOnWriteArrayList<>();
    public final List<ApiKey> keys = new CopyOnWriteArrayList<>();
    public final List<Instance> instances = new CopyOnWriteArrayList<>();
    public final Map<OrganizationId, Map<ModelProviderName, ModelApiKey>> modelKeys = new ConcurrentHashMap<>();
    private final Map<Object, Versioned<?>> limits = new ConcurrentHashMap<>();
    private final AtomicLong versions = new AtomicLong();

    @Override
    public Set<ModelProviderName> providersOf(OrganizationId organization) {
        return Set.copyOf(modelKeys.getOrDefault(organization, Map.of()).keySet());
    }

    @Override
    public Optional<ModelApiKey> keyOf(OrganizationId organization, ModelProviderName provider) {
        return Optional.ofNullable(modelKeys.getOrDefault(organization, Map.of()).get(provider));
    }

    @Override
    public void change(OrganizationId organization, Map<ModelProviderName, Optional<ModelApiKey>> changes) {
        Map<ModelProviderName, ModelApiKey> held = modelKeys.computeIfAbsent(organization, unused -> new ConcurrentHashMap<>());
        changes.forEach((provider, key) -> {
            if (key.isPresent()) {
                held.put(provider, key.get());
            } else {
                held.remove(provider);
            }
        });
    }

    @Override
    @SuppressWarnings("unchecked")
    public Versioned<OrganizationPlan> planOf(OrganizationId organization) {
        return (Versioned<OrganizationPlan>) limits.getOrDefault(organization, new Versioned<>(OrganizationPlan.DEFAULT, 0));
    }

    @Override
    public void savePlan(OrganizationId organization, OrganizationPlan plan) {
        limits.put(organization, new Versioned<>(plan, versions.incrementAndGet()));
    }

    @Override
    @SuppressWarnings("unchecked")
    public Versioned<UsageLimits> limitsOfKey(ApiKeyId key) {
        return (Versioned<UsageLimits>) limits.getOrDefault(key, new Versioned<>(UsageLimits.NONE, 0));
    }

    @Override
    public void saveKeyLimits(OrganizationId organization, ApiKeyId key, UsageLimits saved) {
        if (findById(key).isEmpty()) {
            throw ApiKeyId.notFound();
        }
        limits.put(key, new Versioned<>(saved, versions.incrementAndGet()));
    }

    @Override
    @SuppressWarnings("unchecked")
    public Versioned<SessionLimits> sessionLimitsOf(InstanceId instance) {
        return (Versioned<SessionLimits>) limits.getOrDefault(instance, new Versioned<>(SessionLimits.NONE, 0));
    }

    @Override
    public void saveSessionLimits(OrganizationId organization, InstanceId instance, SessionLimits saved) {
        limits.put(instance, new Versioned<>(saved, versions.incrementAndGet()));
    }

    @Override
    public Optional<ApiKey> findByHash(ApiKeyHash hash) {
        return keys.stream().filter(key -> key.hash().equals(hash)).findFirst();
    }

    @Override
    public Optional<ApiKey> findById(ApiKeyId id) {
        return keys.stream().filter(key -> key.id().equals(id)).findFirst();
    }

    @Override
    public List<ApiKey> listKeysOf(OrganizationId organizationId) {
        return keys.stream().filter(key -> key.organizationId().equals(organizationId))
                .sorted(Comparator.comparing(ApiKey::createdAt).reversed().thenComparing(key -> key.id().value().toString())).toList();
    }

    @Override
    public synchronized boolean insertWithinLimit(ApiKey key, int maxPerOrganization) {
        List<ApiKey> held = keys.stream().filter(other -> other.organizationId().equals(key.organizationId()))
                .sorted(Comparator.comparing(ApiKey::createdAt).thenComparing(other -> other.id().value().toString())).toList();
        List<ApiKey> spent = held.stream().filter(other -> !other.usableAt(key.createdAt())).toList();
        int excess = held.size() - maxPerOrganization + 1;
        if (excess > spent.size()) {
            return false;
        }
        if (excess > 0) {
            keys.removeAll(spent.subList(0, excess));
        }
        keys.add(key);
        return true;
    }

    @Override
    public synchronized boolean revoke(ApiKeyId id) {
        for (int i = 0; i < keys.size(); i++) {
            if (keys.get(i).id().equals(id)) {
                keys.set(i, keys.get(i).revoke());
                return true;
            }
        }
        return false;
    }

    @Override
    public synchronized void recordLastUsed(Map<ApiKeyId, Instant> lastUsed) {
        for (int i = 0; i < keys.size(); i++) {
            ApiKey key = keys.get(i);
            Instant at = lastUsed.get(key.id());
            // Never moves back: batches from several nodes arrive in any order.
            if (at != null && key.lastUsedAt().filter(stored -> !stored.isBefore(at)).isEmpty()) {
                keys.set(i, new ApiKey(key.id(), key.organizationId(), key.name(), key.kind(), key.keyPrefix(), key.hash(), key.active(),
                        key.expiresAt(), Optional.of(at), key.createdAt(), key.scope()));
            }
        }
    }

    @Override
    public Optional<Organization> findById(OrganizationId id) {
        return organizations.stream().filter(organization -> organization.id().equals(id)).findFirst();
    }

    @Override
    public List<Organization> listOrganizations() {
        return organizations.stream().sorted(Comparator.comparing(Organization::createdAt)
                .thenComparing(organization -> organization.id().value().toString())).toList();
    }

    @Override
    public synchronized void update(Organization organization) {
        organizations.replaceAll(existing -> existing.id().equals(organization.id())
                ? new Organization(existing.id(), organization.name(), existing.createdAt(), organization.updatedAt(), existing.suspendedAt())
                : existing);
    }

    @Override
    public synchronized void updateSuspension(Organization organization) {
        organizations.replaceAll(existing -> existing.id().equals(organization.id())
                ? new Organization(existing.id(), existing.name(), existing.createdAt(), organization.updatedAt(), organization.suspendedAt())
                : existing);
    }

    @Override
    public Optional<Instance> findById(InstanceId id) {
        return instances.stream().filter(instance -> instance.id().equals(id)).findFirst();
    }

    @Override
    public List<Instance> listByOrganization(OrganizationId organizationId) {
        return listAll().stream().filter(instance -> instance.organizationId().equals(organizationId)).toList();
    }

    @Override
    public List<Instance> listAll() {
        return instances.stream().sorted(Comparator.comparing(Instance::createdAt).reversed()
                .thenComparing(instance -> instance.id().value().toString())).toList();
    }

    @Override
    public List<Instance> listProbed() {
        return instances.stream().filter(Instance::probed).toList();
    }

    @Override
    public synchronized boolean insertWithinLimit(Instance instance, int maxPerOrganization) {
        long existing = instances.stream()
                .filter(other -> other.organizationId().equals(instance.organizationId()) && other.status() != InstanceStatus.TERMINATED)
                .count();
        if (maxPerOrganization > 0 && existing >= maxPerOrganization) {
            return false;
        }
        instances.add(instance);
        return true;
    }

    @Override
    public synchronized boolean updateIfUnchanged(Instance updated, Instance current) {
        for (int i = 0; i < instances.size(); i++) {
            if (instances.get(i).id().equals(updated.id())) {
                if (instances.get(i).status() != current.status() || !instances.get(i).updatedAt().equals(current.updatedAt())) {
                    return false;
                }
                instances.set(i, updated);
                return true;
            }
        }
        return false;
    }

    @Override
    public void insertWithKey(Organization organization, ApiKey firstKey) {
        organizations.add(organization);
        keys.add(firstKey);
    }
}
