package chowder.domain;

import static java.util.Objects.requireNonNull;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What an instance's gateway is told about one skill ({@code skills.entries.<key>} of OpenClaw's config): whether it is
 * on, the API key for its primary environment variable, environment values, and a free-form config object (plain
 * maps, lists, strings, numbers and booleans). {@code apiKey} and {@code env} values are secrets: write-only.
 *
 * @param enabled null when never set (OpenClaw's default applies)
 * @param apiKey null when none
 */
public record SkillSettings(Boolean enabled, String apiKey, Map<String, String> env, Map<String, Object> config) {
    public static final SkillSettings NONE = new SkillSettings(null, null, Map.of(), Map.of());

    public SkillSettings {
        env = Map.copyOf(requireNonNull(env, "env is null"));
        config = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(requireNonNull(config, "config is null")));
    }

    /** The settings after a partial update: given fields replace, {@code env} and {@code config} merge (null or "" removes). */
    public SkillSettings with(SkillSettingsPatch patch) {
        Boolean nextEnabled = patch.enabled().orElse(enabled);
        String nextApiKey = patch.apiKey().isPresent() ? (patch.apiKey().get().isEmpty() ? null : patch.apiKey().get()) : apiKey;
        Map<String, String> nextEnv = new LinkedHashMap<>(env);
        patch.env().forEach((name, value) -> {
            if (value == null || value.isEmpty()) {
                nextEnv.remove(name);
            } else {
                nextEnv.put(name, value);
            }
        });
        return new SkillSettings(nextEnabled, nextApiKey, nextEnv, merge(config, patch.config()));
    }

    /** Whether nothing is set: the gateway's defaults apply, and nothing needs to be stored. */
    public boolean isEmpty() {
        return enabled == null && apiKey == null && env.isEmpty() && config.isEmpty();
    }

    public Optional<Boolean> enabledSetting() {
        return Optional.ofNullable(enabled);
    }

    /** RFC 7386 (JSON merge patch) over plain maps: a null value removes the key, a map merges into a map. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> merge(Map<String, Object> target, Map<String, Object> patch) {
        Map<String, Object> merged = new LinkedHashMap<>(target);
        patch.forEach((key, value) -> {
            if (value == null) {
                merged.remove(key);
            } else if (value instanceof Map<?, ?> patchMap && merged.get(key) instanceof Map<?, ?> targetMap) {
                merged.put(key, merge((Map<String, Object>) targetMap, (Map<String, Object>) patchMap));
            } else {
                merged.put(key, value);
            }
        });
        return merged;
    }

    @Override
    public String toString() {
        // Never the secrets, should a record ever be logged.
        return "SkillSettings[enabled=" + enabled + ", apiKey=" + (apiKey == null ? "none" : "set") + ", env=" + env.keySet()
                + ", config=" + config.keySet() + "]";
    }
}
