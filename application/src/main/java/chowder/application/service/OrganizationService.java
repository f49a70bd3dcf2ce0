package chowder.application.service;

import static java.util.Objects.requireNonNull;

import chowder.application.port.in.CreateOrganizationUseCase;
import chowder.application.port.in.ManageOrganizationUseCase;
import chowder.application.port.in.NewOrganization;
import chowder.application.port.in.OrganizationDetails;
import chowder.application.port.out.LimitSettingsPort;
import chowder.application.port.out.LoadInstancePort;
import chowder.application.port.out.LoadOrganizationPort;
import chowder.application.port.out.ModelCatalogPort;
import chowder.application.port.out.ModelCatalogPort.ModelEndpoint;
import chowder.application.port.out.ModelKeysPort;
import chowder.application.port.out.SaveOrganizationPort;
import chowder.domain.ApiKey;
import chowder.domain.ApiKeyKind;
import chowder.domain.ApiKeySecret;
import chowder.domain.Caller;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.InstanceStatus;
import chowder.domain.ModelApiKey;
import chowder.domain.ModelProviderName;
import chowder.domain.Organization;
import chowder.domain.OrganizationId;
import chowder.domain.OrganizationPlan;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/** Creates organizations, each with a first organization key, and shows and changes them (name, model keys). */
public final class OrganizationService implements CreateOrganizationUseCase, ManageOrganizationUseCase {
    static final String FIRST_KEY_NAME = "default";

    private final LoadOrganizationPort loadOrganizations;
    private final SaveOrganizationPort organizations;
    private final ModelKeysPort modelKeys;
    private final ModelCatalogPort catalog;
    private final LimitSettingsPort limits;
    private final LoadInstancePort instances;
    private final InstanceLimits instanceLimits;
    private final SecureRandom random;
    private final Clock clock;

    public OrganizationService(LoadOrganizationPort loadOrganizations, SaveOrganizationPort organizations, ModelKeysPort modelKeys,
            ModelCatalogPort catalog, LimitSettingsPort limits, LoadInstancePort instances, InstanceLimits instanceLimits,
            SecureRandom random, Clock clock) {
        this.loadOrganizations = requireNonNull(loadOrganizations, "loadOrganizations is null");
        this.organizations = requireNonNull(organizations, "organizations is null");
        this.modelKeys = requireNonNull(modelKeys, "modelKeys is null");
        this.catalog = requireNonNull(catalog, "catalog is null");
        this.limits = requireNonNull(limits, "limits is null");
        this.instances = requireNonNull(instances, "instances is null");
        this.instanceLimits = requireNonNull(instanceLimits, "instanceLimits is null");
        this.random = requireNonNull(random, "random is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    @Override
    public NewOrganization create(String name) {
        Instant now = clock.instant();
        Organization organization = Organization.create(name, now);
        ApiKeySecret secret = ApiKeySecret.generate(ApiKeyKind.ORGANIZATION, random);
        organizations.insertWithKey(organization, ApiKey.issue(organization.id(), FIRST_KEY_NAME, secret, now));
        return new NewOrganization(details(organization), secret);
    }

    @Override
    public OrganizationDetails get(Caller caller) {
        caller.requireOrganizationKey();
        return details(find(caller.organizationId()));
    }

    /** The details of any organization, for the operator and for a new organization's answer. */
    public OrganizationDetails details(Organization organization) {
        OrganizationPlan plan = limits.planOf(organization.id()).value();
        int limit = plan.effectiveInstanceLimit(instanceLimits.maxPerOrganization());
        int count = (int) instances.listByOrganization(organization.id()).stream()
                .filter(instance -> instance.status() != InstanceStatus.TERMINATED).count();
        return new OrganizationDetails(organization, modelKeys.providersOf(organization.id()), plan,
                limit == 0 ? OptionalInt.empty() : OptionalInt.of(limit), count);
    }

    @Override
    public OrganizationDetails update(Caller caller, Optional<String> name, Map<String, String> modelApiKeys) {
        caller.requireOrganizationKey();
        Organization current = find(caller.organizationId());
        // Everything is checked before anything is written: a bad key name changes neither the name nor a key.
        Map<ModelProviderName, Optional<ModelApiKey>> keyChanges = keyChanges(modelApiKeys);
        Organization updated = current;
        if (name.isPresent()) {
            updated = current.rename(name.get(), clock.instant());
        }
        if (!keyChanges.isEmpty()) {
            modelKeys.change(current.id(), keyChanges);
        }
        if (updated != current) {
            organizations.update(updated);
        }
        return details(updated);
    }

    private Map<ModelProviderName, Optional<ModelApiKey>> keyChanges(Map<String, String> modelApiKeys) {
        Map<ModelProviderName, Optional<ModelApiKey>> changes = new LinkedHashMap<>();
        modelApiKeys.forEach((provider, key) -> {
            ModelProviderName name;
            try {
                name = new ModelProviderName(provider);
            } catch (ChowderException e) {
                name = null;
            }
            if (name == null || !catalog.names().contains(name)) {
                throw ChowderException.validationFailed("model_api_keys: unknown provider '" + shorten(provider) + "'; this Chowder offers "
                        + catalog.names().stream().sorted().toList() + ".");
            }
            if (key == null) {
                throw ChowderException.validationFailed("model_api_keys." + name + " must be a string (\"\" removes the key).");
            }
            // Removing stays allowed: a key stored before the operator stopped taking them for this provider can go.
            if (!key.isEmpty() && !catalog.endpoint(name).orElseThrow().organizationKeys()) {
                throw ChowderException.validationFailed("model_api_keys: provider '" + name + "' is the operator's own and takes no "
                        + "organization key; this Chowder takes organization keys for " + providersTakingKeys() + ".");
            }
            try {
                changes.put(name, key.isEmpty() ? Optional.empty() : Optional.of(new ModelApiKey(key)));
            } catch (ChowderException e) {
                throw ChowderException.validationFailed("model_api_keys." + name + ": " + e.getMessage());
            }
        });
        return changes;
    }

    private List<ModelProviderName> providersTakingKeys() {
        return catalog.names().stream().filter(name -> catalog.endpoint(name).map(ModelEndpoint::organizationKeys).orElse(false)).sorted()
                .toList();
    }

    @Override
    public List<Organization> listAll(Caller operator) {
        if (!operator.actsForAllOrganizations()) {
            throw new ChowderException(ErrorCode.PERMISSION_DENIED, "Only the operator lists all organizations.");
        }
        return loadOrganizations.listOrganizations();
    }

    Organization find(OrganizationId id) {
        return loadOrganizations.findById(id).orElseThrow(() -> new ChowderException(ErrorCode.NOT_FOUND, "Organization not found."));
    }

    private static String shorten(String text) {
        return text.length() <= 64 ? text : text.substring(0, 64) + "…";
    }
}
