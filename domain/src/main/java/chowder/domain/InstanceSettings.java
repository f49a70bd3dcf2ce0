package chowder.domain;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * What the hosted API lets a client set on an instance besides its gateway, kept as data:
 * {@code model_provider}, {@code openclaw_config} (a JSON object, as text) and {@code region}.
 */
public record InstanceSettings(Optional<String> modelProvider, Optional<String> openclawConfigJson, Optional<String> region) {
    public static final int MAX_LABEL_LENGTH = 128;
    public static final int MAX_CONFIG_LENGTH = 64 * 1024;
    public static final InstanceSettings NONE = new InstanceSettings(Optional.empty(), Optional.empty(), Optional.empty());

    public InstanceSettings {
        requireNonNull(modelProvider, "modelProvider is null");
        requireNonNull(openclawConfigJson, "openclawConfigJson is null");
        requireNonNull(region, "region is null");
        modelProvider.ifPresent(value -> label("model_provider", value));
        region.ifPresent(value -> label("region", value));
        openclawConfigJson.ifPresent(value -> {
            if (value.length() > MAX_CONFIG_LENGTH) {
                throw ChowderException.validationFailed("openclaw_config is larger than " + MAX_CONFIG_LENGTH + " characters.");
            }
        });
    }

    public InstanceSettings withModelProvider(String provider) {
        return new InstanceSettings(Optional.of(provider), openclawConfigJson, region);
    }

    public InstanceSettings withOpenclawConfig(String json) {
        return new InstanceSettings(modelProvider, Optional.of(json), region);
    }

    private static void label(String field, String value) {
        if (value.isBlank() || value.length() > MAX_LABEL_LENGTH || value.chars().anyMatch(Character::isISOControl)) {
            throw ChowderException.validationFailed(field + " must be 1 to " + MAX_LABEL_LENGTH + " characters without control characters.");
        }
    }
}
