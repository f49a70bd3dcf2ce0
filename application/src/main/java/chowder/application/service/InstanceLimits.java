package chowder.application.service;

/** Per-organization limits on instances; 0 means unlimited. */
public record InstanceLimits(int maxPerOrganization) {
    /** A default bound, so that no organization can fill the host or the health prober unless its operator allows it. */
    public static final int DEFAULT_MAX_PER_ORGANIZATION = 100;
    public static final InstanceLimits UNLIMITED = new InstanceLimits(0);

    public InstanceLimits {
        if (maxPerOrganization < 0) {
            throw new IllegalArgumentException("max instances per organization must not be negative");
        }
    }
}
