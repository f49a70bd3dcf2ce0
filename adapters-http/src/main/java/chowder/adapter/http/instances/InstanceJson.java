package chowder.adapter.http.instances;

import chowder.domain.Instance;
import com.fasterxml.jackson.annotation.JsonRawValue;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.Optional;

/**
 * An instance as the hosted API shows it. {@code sandbox_provider} is {@code external} for a registered
 * gateway and {@code local} for one Chowder runs itself; the hosted API's other sandbox fields are null. Chowder adds
 * {@code sandbox}: how a gateway it runs is confined ({@code bubblewrap}, or {@code off}), null for a registered one.
 * The gateway token is never part of it.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record InstanceJson(
        String id,
        String organizationId,
        String name,
        String status,
        String modelProvider,
        String sandboxProvider,
        String sandboxId,
        String gatewayUrl,
        String openclawVersion,
        @JsonRawValue String openclawConfig,
        String region,
        String errorMessage,
        String createdAt,
        String updatedAt,
        String sandbox) {

    public static InstanceJson of(Instance instance, Optional<String> sandbox) {
        return new InstanceJson(instance.id().toString(), instance.organizationId().toString(), instance.name(),
                instance.status().wireName(), instance.settings().modelProvider().orElse(null), instance.hosting().wireName(), null,
                instance.gatewayUrl().toString(), null, instance.settings().openclawConfigJson().orElse(null),
                instance.settings().region().orElse(null), instance.errorMessage().orElse(null), instance.createdAt().toString(),
                instance.updatedAt().toString(), sandbox.orElse(null));
    }

    /** The answer of {@code GET /v1/instances/{id}/status}. */
    record Status(String id, String status, @com.fasterxml.jackson.annotation.JsonProperty("gateway_url") String gatewayUrl) {
        static Status of(Instance instance) {
            return new Status(instance.id().toString(), instance.status().wireName(), instance.gatewayUrl().toString());
        }
    }
}
