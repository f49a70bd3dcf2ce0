package chowder.application.service;

import static java.util.Objects.requireNonNull;

import chowder.application.port.in.AuthorizeModelCallUseCase;
import chowder.application.port.in.AuthorizeModelCallUseCase.Account;
import chowder.application.port.in.AuthorizeModelCallUseCase.ModelCallMeter;
import chowder.application.port.out.LimitSettingsPort;
import chowder.application.port.out.LoadInstancePort;
import chowder.application.port.out.LoadOrganizationPort;
import chowder.application.port.out.ModelCatalogPort;
import chowder.application.port.out.ModelCatalogPort.ModelEndpoint;
import chowder.application.port.out.ModelKeysPort;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.Instance;
import chowder.domain.InstanceId;
import chowder.domain.InstanceStatus;
import chowder.domain.LimitExceededException;
import chowder.domain.ModelApiKey;
import chowder.domain.ModelProviderName;
import chowder.domain.Organization;
import chowder.domain.OrganizationId;
import java.time.Clock;
import java.util.Optional;

/**
 * Model egress of provisioned gateways: which organization a call is for (from the credential its instance's gateway
 * holds), which key goes upstream (the organization's own, else the operator's where the operator allows it), its
 * organization's rate and budgets (with a reservation per call), and metering. A suspended organization's calls are refused. Also the rule for creating an instance: its provider must be usable by its
 * organization.
 */
public final class ModelAccessService implements AuthorizeModelCallUseCase {
    private final ModelCredentials credentials;
    private final LoadInstancePort instances;
    private final LoadOrganizationPort organizations;
    private final ModelCatalogPort catalog;
    private final ModelKeysPort keys;
    private final LimitSettingsPort settings;
    private final UsageLimiter limiter;
    private final ModelUsageRecorder usage;
    private final ModelAccessPolicy policy;
    private final ModelRefusals refusals;
    private final Clock clock;

    public ModelAccessService(ModelCredentials credentials, LoadInstancePort instances, LoadOrganizationPort organizations,
            ModelCatalogPort catalog, ModelKeysPort keys, LimitSettingsPort settings, UsageLimiter limiter, ModelUsageRecorder usage, ModelAccessPolicy policy, ModelRefusals refusals,
            Clock clock) {
        this.credentials = requireNonNull(credentials, "credentials is null");
        this.instances = requireNonNull(instances, "instances is null");
        this.organizations = requireNonNull(organizations, "organizations is null");
        this.catalog = requireNonNull(catalog, "catalog is null");
        this.keys = requireNonNull(keys, "keys is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.limiter = requireNonNull(limiter, "limiter is null");
        this.usage = requireNonNull(usage, "usage is null");
        this.policy = requireNonNull(policy, "policy is null");
        this.refusals = requireNonNull(refusals, "refusals is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    @Override
    public ModelCallGrant authorize(String credential, ModelProviderName provider) {
        InstanceId instanceId = credentials.instanceOf(credential).orElseThrow(ModelAccessService::unknownCredential);
        Instance instance = instances.findById(instanceId)
                .filter(found -> found.status() != InstanceStatus.TERMINATED && found.status() != InstanceStatus.STOPPED)
                .orElseThrow(ModelAccessService::unknownCredential);
        ModelProviderName own = instance.settings().modelProvider().map(ModelProviderName::new).orElse(null);
        if (!provider.equals(own)) {
            throw new ChowderException(ErrorCode.PERMISSION_DENIED, "This instance's model provider is " + own + ", not " + provider + ".");
        }
        OrganizationId organization = instance.organizationId();
        // Its instances keep running while it is suspended; what they would spend is refused.
        organizations.findById(organization).ifPresent(Organization::requireActive);
        ModelEndpoint endpoint = catalog.endpoint(provider).orElseThrow(() -> new ChowderException(ErrorCode.PERMISSION_DENIED,
                "Model provider " + provider + " is no longer offered by this Chowder."));
        UpstreamKey key = upstreamKey(organization, endpoint).orElseThrow(() -> new ChowderException(ErrorCode.PERMISSION_DENIED,
                noKey(endpoint)));
        return new ModelCallGrant(organization, instanceId, endpoint.baseUrl(), endpoint.api(), endpoint.models(), key.key(), key.account(),
                estimatedTokens -> admit(organization, instanceId, provider, estimatedTokens));
    }

    private ModelCallMeter admit(OrganizationId organization, InstanceId instance, ModelProviderName provider, long estimatedTokens) {
        UsageLimiter.ModelCallReservation reservation;
        try {
            reservation = limiter.admitModelCall(organization, estimatedTokens);
        } catch (LimitExceededException e) {
            refusals.record(instance, e);
            throw e;
        }
        return tokens -> {
            usage.record(organization, instance, provider, tokens, clock.instant());
            limiter.settleModelCall(reservation, tokens.totalTokens());
        };
    }

    /** The provider of an instance created without {@code model_provider}: the operator's default. */
    ModelProviderName defaultProvider() {
        return catalog.defaultProvider();
    }

    /**
     * Throws a validation error (422) unless the organization can use the provider: it is known, and the organization
     * holds a key for it or may use the operator's.
     */
    void requireUsable(OrganizationId organization, ModelProviderName provider) {
        ModelEndpoint endpoint = catalog.endpoint(provider).orElseThrow(() -> ChowderException.validationFailed(
                "model_provider must be one of " + catalog.names().stream().sorted().toList() + "."));
        if (upstreamKey(organization, endpoint).isEmpty()) {
            throw ChowderException.validationFailed("model_provider " + provider + ": " + noKey(endpoint));
        }
    }

    /**
     * The key for an upstream call: the organization's own, for a provider that takes organizations' keys; else the
     * operator's (possibly none, for a provider that needs none) when the operator configured the provider and allows
     * the organization to use it; else nothing usable. A key an organization stored for a provider that takes none (the
     * operator changed its mind) is never used: it would lift the operator's rule for its own endpoints.
     */
    private Optional<UpstreamKey> upstreamKey(OrganizationId organization, ModelEndpoint endpoint) {
        if (endpoint.organizationKeys()) {
            Optional<ModelApiKey> own = keys.keyOf(organization, endpoint.name());
            if (own.isPresent()) {
                return Optional.of(new UpstreamKey(own, Account.ORGANIZATION));
            }
        }
        boolean operatorAllowed = settings.planOf(organization).value().operatorModelKeys().orElse(policy.operatorKeysByDefault());
        if (endpoint.operatorConfigured() && operatorAllowed) {
            return Optional.of(new UpstreamKey(endpoint.operatorKey(), Account.OPERATOR));
        }
        return Optional.empty();
    }

    private record UpstreamKey(Optional<ModelApiKey> key, Account account) {}

    private static String noKey(ModelEndpoint endpoint) {
        if (!endpoint.organizationKeys()) {
            return "it is the operator's own provider, which takes no organization key, and this organization's plan does not "
                    + "include the operator's providers.";
        }
        return "this organization holds no key for it; add one with PATCH /v1/organization {\"model_api_keys\": {\"" + endpoint.name()
                + "\": \"…\"}}.";
    }

    private static ChowderException unknownCredential() {
        return new ChowderException(ErrorCode.INVALID_API_KEY, "Unknown model credential: only a running provisioned instance's gateway "
                + "may call this endpoint.");
    }
}
