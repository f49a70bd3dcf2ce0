package chowder.application.service;

/** Per-organization limits on instances; 0 means unlimited. */
public record InstanceLimits(int maxPerOrganization) {
    public static final InstanceLimits UNLIMITED = new InstanceLimits(0);

    public InstanceLimits {
        if (maxPerOrganization < 0) {
            throw new IllegalArgumentException("max instances per organization must not be negative");
        }
    }
}
