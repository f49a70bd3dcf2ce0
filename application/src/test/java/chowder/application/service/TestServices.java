package chowder.application.service;

import chowder.domain.ModelProviderName;
import java.security.SecureRandom;
import java.time.Clock;

/** Services over the in-memory fakes, wired as Chowder wires them, for tests of this module and of the HTTP adapter. */
public final class TestServices {
    private TestServices() {}

    /** Organizations over {@code store}, with the {@link FixedCatalog} providers and no instance limit. */
    public static OrganizationService organizations(InMemoryStore store, Clock clock) {
        return organizations(store, InstanceLimits.UNLIMITED, clock);
    }

    /** As {@link #organizations(InMemoryStore, Clock)}, with the operator's default instance limit. */
    public static OrganizationService organizations(InMemoryStore store, InstanceLimits limits, Clock clock) {
        return new OrganizationService(store, store, store, new FixedCatalog(ModelProviderName.ANTHROPIC), store, store, limits,
                new SecureRandom(), clock);
    }
}
