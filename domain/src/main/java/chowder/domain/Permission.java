package chowder.domain;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** What a scoped key may do on its instances, as the hosted API names it. */
public enum Permission {
    READ,
    INTERACT,
    CONFIGURE,
    FILES,
    CHANNELS;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
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
