package chowder.application.port.in;

import static java.util.Objects.requireNonNull;

import chowder.domain.ApiKey;
import chowder.domain.ApiKeySecret;

/** A just-created key and its raw value, which is shown this once and never again. */
public record NewApiKey(ApiKey key, ApiKeySecret secret) {
    public NewApiKey {
        requireNonNull(key, "key is null");
        requireNonNull(secret, "secret is null");
    }
}
