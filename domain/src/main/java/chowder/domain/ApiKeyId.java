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

    /** Reads an id from a request path; anything that is not a UUID names no key. */
    public static ApiKeyId parse(String raw) {
        try {
            return new ApiKeyId(UUID.fromString(requireNonNull(raw, "raw is null")));
        } catch (IllegalArgumentException e) {
            throw notFound();
        }
    }

    public static ChowderException notFound() {
        return new ChowderException(ErrorCode.API_KEY_NOT_FOUND, "API key not found.");
    }

    @Override
    public String toString() {
        return value.toString();
    }
}
