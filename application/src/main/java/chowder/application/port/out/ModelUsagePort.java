package chowder.application.port.out;

import static java.util.Objects.requireNonNull;

import chowder.domain.InstanceId;
import chowder.domain.ModelProviderName;
import chowder.domain.ModelTokens;
import chowder.domain.OrganizationId;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Model calls and tokens per instance, provider and hour, as the provider reported them. */
public interface ModelUsagePort {
    /** Adds each hour's requests and tokens to what is stored. */
    void add(Map<UsageHour, Calls> usage);

    /** The hours of {@code instance} in {@code [from, to)}, oldest first. */
    List<HourOfUsage> hoursOf(InstanceId instance, Instant from, Instant to);

    record UsageHour(OrganizationId organization, InstanceId instance, ModelProviderName provider, Instant hourStart) {
        public UsageHour {
            requireNonNull(organization, "organization is null");
            requireNonNull(instance, "instance is null");
            requireNonNull(provider, "provider is null");
            requireNonNull(hourStart, "hourStart is null");
        }
    }

    /** Requests (model calls) and their tokens. */
    record Calls(long requests, ModelTokens tokens) {
        public Calls plus(Calls other) {
            return new Calls(requests + other.requests, tokens.plus(other.tokens));
        }
    }

    record HourOfUsage(ModelProviderName provider, Instant hourStart, Calls calls) {}
}
