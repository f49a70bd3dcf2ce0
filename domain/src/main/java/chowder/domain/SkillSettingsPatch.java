package chowder.domain;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A partial update of a skill's settings, as {@code PATCH /v1/instances/{id}/skills/{name}} sends it: each absent field
 * stays as it is; {@code apiKey ""} removes the key; an {@code env} value null or {@code ""} removes that variable; a
 * {@code config} value null removes that key (maps merge).
 */
public record SkillSettingsPatch(Optional<Boolean> enabled, Optional<String> apiKey, Map<String, String> env, Map<String, Object> config) {
    /** Environment variable names as OpenClaw's skills use them ({@code GEMINI_API_KEY}). */
    private static final java.util.regex.Pattern ENV_NAME = java.util.regex.Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
    public static final int MAX_ENV_VALUES = 64;
    public static final int MAX_VALUE_CHARS = 16 * 1024;

    public SkillSettingsPatch {
        requireNonNull(enabled, "enabled is null");
        requireNonNull(apiKey, "apiKey is null");
        // Null values mean "remove", so no Map.copyOf.
        env = Collections.unmodifiableMap(new LinkedHashMap<>(requireNonNull(env, "env is null")));
        config = Collections.unmodifiableMap(new LinkedHashMap<>(requireNonNull(config, "config is null")));
        if (env.size() > MAX_ENV_VALUES) {
            throw ChowderException.validationFailed("env has " + env.size() + " variables; at most " + MAX_ENV_VALUES + " are accepted.");
        }
        for (Map.Entry<String, String> variable : env.entrySet()) {
            if (!ENV_NAME.matcher(variable.getKey()).matches()) {
                throw ChowderException.validationFailed("env names must be environment variable names (letters, digits and _, "
                        + "not starting with a digit); got one that is not.");
            }
            if (variable.getValue() != null && (variable.getValue().length() > MAX_VALUE_CHARS || variable.getValue().indexOf('\0') >= 0)) {
                throw ChowderException.validationFailed("env " + variable.getKey() + " must be at most " + MAX_VALUE_CHARS
                        + " characters without NUL.");
            }
        }
        if (apiKey.isPresent() && (apiKey.get().length() > MAX_VALUE_CHARS || apiKey.get().indexOf('\0') >= 0)) {
            throw ChowderException.validationFailed("apiKey must be at most " + MAX_VALUE_CHARS + " characters without NUL.");
        }
        apiKey.ifPresent(key -> EnvironmentReferences.refuseIn("apiKey", key));
        env.forEach((name, value) -> EnvironmentReferences.refuseIn("env " + name, value));
        EnvironmentReferences.refuseIn("config", config);
    }

    /** Only environment values, as an install's {@code env} gives them. */
    public static SkillSettingsPatch ofEnv(Map<String, String> env) {
        return new SkillSettingsPatch(Optional.empty(), Optional.empty(), env, Map.of());
    }

    public boolean isEmpty() {
        return enabled.isEmpty() && apiKey.isEmpty() && env.isEmpty() && config.isEmpty();
    }

    @Override
    public String toString() {
        return "SkillSettingsPatch[enabled=" + enabled + ", apiKey=" + (apiKey.isPresent() ? "given" : "absent") + ", env="
                + env.keySet() + ", config=" + config.keySet() + "]";
    }
}
