package chowder.adapter.http;

import chowder.domain.Instance;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * An instance as the hosted API shows it. Registered gateways have no sandbox: {@code sandbox_provider}
 * is {@code external} and the sandbox fields are null. The gateway token is never part of it.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
record InstanceJson(
        String id,
        String organizationId,
        String name,
        String status,
        String modelProvider,
        String sandboxProvider,
        String sandboxId,
        String gatewayUrl,
        String openclawVersion,
        Object openclawConfig,
        String region,
        String errorMessage,
        String createdAt,
        String updatedAt) {

    static InstanceJson of(Instance instance) {
        return new InstanceJson(instance.id().toString(), instance.organizationId().toString(), instance.name(),
                instance.status().wireName(), null, "external", null, instance.gatewayUrl().toString(), null, null, null,
                instance.errorMessage().orElse(null), instance.createdAt().toString(), instance.updatedAt().toString());
    }
}
