package chowder.application.port.in;

import static java.util.Objects.requireNonNull;

import chowder.domain.InstanceId;
import chowder.domain.OrganizationId;
import chowder.domain.TokenUsage;
import java.util.List;

/** An organization's turns and tokens over a window: in total and per instance. */
public record OrganizationUsage(OrganizationId organization, UsageWindow window, long turns, TokenUsage usage, List<InstanceUsage> byInstance) {
    public OrganizationUsage {
        requireNonNull(organization, "organization is null");
        requireNonNull(window, "window is null");
        requireNonNull(usage, "usage is null");
        byInstance = List.copyOf(byInstance);
    }

    /** One instance's share. */
    public record InstanceUsage(InstanceId instance, String name, long turns, TokenUsage usage) {
        public InstanceUsage {
            requireNonNull(instance, "instance is null");
            requireNonNull(name, "name is null");
            requireNonNull(usage, "usage is null");
        }
    }
}
