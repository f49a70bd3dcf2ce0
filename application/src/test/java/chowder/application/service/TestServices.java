package chowder.application.service;

import chowder.domain.GatewayToken;
import chowder.domain.GatewayUrl;
import chowder.domain.Instance;
import chowder.domain.InstanceSettings;
import chowder.domain.ModelProviderName;
import chowder.domain.OrganizationId;
import chowder.domain.OrganizationPlan;
import chowder.domain.UsageLimits;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/** Services over the in-memory fakes, wired as Chowder wires them, for tests of this module and of the HTTP adapter. */
public final class TestServices {
    private TestServices() {}

    /** Organizations over {@code store}, with the {@link FixedCatalog} providers and no instance limit. */
    public static OrganizationService organizations(InMemoryStore store, Clock clock) {
        return organizations(store, InstanceLimits.UNLIMITED, clock);
    }

    /**
     * Model egress as Chowder wires it, over the fakes: an organization with a provisioned instance of the operator's
     * keyless {@code local} provider, which lives at {@code localBaseUrl}; the operator lets every organization use it.
     */
    public static ModelEgress modelEgress(URI localBaseUrl, Clock clock) {
        InMemoryStore store = new InMemoryStore();
        InMemoryLimitCounters counters = new InMemoryLimitCounters();
        ModelCredentials credentials = new ModelCredentials(new SecureRandom());
        ModelAccessService access = new ModelAccessService(credentials, store, store, new FixedCatalog(ModelProviderName.ANTHROPIC, localBaseUrl),
                store, store, new UsageLimiter(store, counters, clock), new ModelUsageRecorder(new InMemoryModelUsage()),
                ModelAccessPolicy.OPERATOR_KEYS_FOR_ALL, new ModelRefusals(), clock);
        OrganizationId organization = organizations(store, clock).create("Acme").details().organization().id();
        Instance instance = Instance.provision(organization, "agent", GatewayUrl.of("http://127.0.0.1:1"), new GatewayToken("t"),
                new InstanceSettings(Optional.of(FixedCatalog.LOCAL.value()), Optional.empty(), Optional.empty()), clock.instant());
        store.insertWithinLimit(instance, 0);
        return new ModelEgress(access, credentials.issue(instance.id()), organization, store, counters);
    }

    /** What {@link #modelEgress} made: the use case, the gateway's credential, and the organization's plan and counters. */
    public record ModelEgress(ModelAccessService access, String credential, OrganizationId organization, InMemoryStore store,
            InMemoryLimitCounters counters) {
        /** The operator sets the organization's budget and rate ({@code null}: none). */
        public void limits(Long tokensPerDay, Long requestsPerMinute) {
            store.savePlan(organization, new OrganizationPlan("team", OptionalInt.empty(), new UsageLimits(optional(tokensPerDay),
                    OptionalLong.empty(), optional(requestsPerMinute)), Optional.empty()));
        }

        /** The operator suspends ({@code true}) or resumes the organization. */
        public void suspended(boolean suspended) {
            store.updateSuspension(store.findById(organization).orElseThrow().suspended(suspended, java.time.Instant.now()));
        }

        /** Tokens counted as spent today (reservations of calls still running included). */
        public long spentToday() {
            return counters.spent("DAY:org:" + organization);
        }

        private static OptionalLong optional(Long value) {
            return value == null ? OptionalLong.empty() : OptionalLong.of(value);
        }
    }

    /** As {@link #organizations(InMemoryStore, Clock)}, with the operator's default instance limit. */
    public static OrganizationService organizations(InMemoryStore store, InstanceLimits limits, Clock clock) {
        return new OrganizationService(store, store, store, new FixedCatalog(ModelProviderName.ANTHROPIC), store, store, limits,
                new SecureRandom(), clock);
    }
}
