package chowder.domain;

import static java.util.Objects.requireNonNull;

import java.util.UUID;

/** The identity of an instance, one OpenClaw gateway. */
public record InstanceId(UUID value) {
    public InstanceId {
        requireNonNull(value, "value is null");
    }

    public static InstanceId random() {
        return new InstanceId(UUID.randomUUID());
    }

    /**
     * Reads an id from a request path; anything that is not a UUID cannot name an instance, so it
     * is answered like any unknown instance rather than as bad input.
     */
    public static InstanceId parse(String raw) {
        try {
            return new InstanceId(UUID.fromString(requireNonNull(raw, "raw is null")));
        } catch (IllegalArgumentException e) {
            throw ChowderException.instanceNotFound();
        }
    }

    @Override
    public String toString() {
        return value.toString();
    }
}
