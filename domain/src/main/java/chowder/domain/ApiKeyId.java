package chowder.domain;

import static java.util.Objects.requireNonNull;

import java.util.UUID;

/** The public identity of an API key (not the key itself). */
public record ApiKeyId(UUID value) {
    public ApiKeyId {
        requireNonNull(value, "value is null");
    }

    public static ApiKeyId random() {
        return new ApiKeyId(UUID.randomUUID());
    }

    @Override
    public String toString() {
        return value.toString();
    }
}
