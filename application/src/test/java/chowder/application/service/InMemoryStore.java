package chowder.application.service;

import chowder.application.port.out.LoadApiKeyPort;
import chowder.application.port.out.LoadInstancePort;
import chowder.application.port.out.SaveInstancePort;
import chowder.application.port.out.SaveOrganizationPort;
import chowder.domain.ApiKey;
import chowder.domain.ApiKeyHash;
import chowder.domain.Instance;
import chowder.domain.InstanceId;
import chowder.domain.Organization;
import chowder.domain.OrganizationId;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** A fake of the stores, kept in thread-safe lists. */
public final class InMemoryStore implements LoadApiKeyPort, LoadInstancePort, SaveInstancePort, SaveOrganizationPort {
    public final List<Organization> organizations = new CopyOnWriteArrayList<>();
    public final List<ApiKey> keys = new CopyOnWriteArrayList<>();
    public final List<Instance> instances = new CopyOnWriteArrayList<>();

    @Override
    public Optional<ApiKey> findByHash(ApiKeyHash hash) {
        return keys.stream().filter(key -> key.hash().equals(hash)).findFirst();
    }

    @Override
    public Optional<Instance> findById(InstanceId id) {
        return instances.stream().filter(instance -> instance.id().equals(id)).findFirst();
    }

    @Override
    public List<Instance> listByOrganization(OrganizationId organizationId) {
        return instances.stream()
                .filter(instance -> instance.organizationId().equals(organizationId))
                .sorted(Comparator.comparing(Instance::createdAt).reversed())
                .toList();
    }

    @Override
    public void insert(Instance instance) {
        instances.add(instance);
    }

    @Override
    public void insertWithKey(Organization organization, ApiKey firstKey) {
        organizations.add(organization);
        keys.add(firstKey);
    }
}
