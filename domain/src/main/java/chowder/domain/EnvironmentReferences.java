package chowder.domain;

import java.util.Collection;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * OpenClaw replaces {@code ${NAME}} (an upper-case name) in every string of its config with that environment variable of
 * the gateway. A value a caller sets (a channel's field, a skill's key, environment or config) must not name one: it
 * would hand the gateway's own secrets (its token, its model credential) to a place the caller chose, with no more than
 * a {@code channels} or {@code skills} permission.
 */
public final class EnvironmentReferences {
    private static final Pattern REFERENCE = Pattern.compile("\\$\\{[A-Z_][A-Z0-9_]*}");

    private EnvironmentReferences() {}

    /** Refuses {@code value} (a string, or a map or list holding strings at any depth) if it holds a reference. */
    public static void refuseIn(String field, Object value) {
        switch (value) {
            case String text when REFERENCE.matcher(text).find() -> throw ChowderException.validationFailed(field
                    + " must not contain ${NAME}: the gateway would replace it with one of its own environment variables.");
            case Map<?, ?> map -> map.forEach((key, nested) -> {
                refuseIn(field, String.valueOf(key));
                refuseIn(field, nested);
            });
            case Collection<?> list -> list.forEach(nested -> refuseIn(field, nested));
            case null, default -> {
                // numbers, booleans, null and strings without a reference are written as they are
            }
        }
    }
}
