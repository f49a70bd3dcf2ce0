package chowder.domain;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/** The fields a PATCH changes; absent ones stay as they are. */
public record InstanceUpdate(
        Optional<String> name, Optional<GatewayUrl> gatewayUrl, Optional<GatewayToken> gatewayToken, Optional<String> openclawConfig) {
    public InstanceUpdate {
        requireNonNull(name, "name is null");
        requireNonNull(gatewayUrl, "gatewayUrl is null");
        requireNonNull(gatewayToken, "gatewayToken is null");
        requireNonNull(openclawConfig, "openclawConfig is null");
        name = name.map(value -> Names.check("name", value));
    }
}
