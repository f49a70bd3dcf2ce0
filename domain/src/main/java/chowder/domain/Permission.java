package chowder.domain;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** What a scoped key may do on its instances, as the hosted API names it. */
public enum Permission {
    READ(null),
    INTERACT(null),
    CONFIGURE("it could re-point the instance's gateway and read other sessions"),
    FILES("the workspace is shared by every session of the instance, so it holds what the agent wrote for other sessions"),
    CHANNELS("channels belong to the whole instance, not to some of its sessions");

    private final String instanceWideBecause;

    Permission(String instanceWideBecause) {
        this.instanceWideBecause = instanceWideBecause;
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Why a key bound to sessions may not hold this permission (what it reaches is shared by every session of the
     * instance), or empty when it stays within the key's own sessions.
     */
    public Optional<String> instanceWideBecause() {
        return Optional.ofNullable(instanceWideBecause);
    }

    /** Reads a permission named by a client; an unknown name is a validation error listing the known ones. */
    public static Permission fromWireName(String name) {
        for (Permission permission : values()) {
            if (permission.wireName().equals(name)) {
                return permission;
            }
        }
        throw ChowderException.validationFailed("permissions: unknown permission '" + name + "'; use "
                + Arrays.stream(values()).map(Permission::wireName).collect(Collectors.joining(", ")) + ".");
    }
}
