package chowder.application.port.out.contract;

import chowder.domain.SkillSettings;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Skill settings the store tests save: every kind of field and value a skill's settings may hold. */
public final class SkillSettingsSamples {
    private SkillSettingsSamples() {}

    /** Secrets, null, nested maps and lists, numbers small and large. */
    public static SkillSettings weather() {
        Map<String, Object> nested = new LinkedHashMap<>();
        nested.put("region", "nested-value");
        nested.put("unset", null);
        nested.put("levels", List.of(1, 2.5, "three", true, Map.of("deep", List.of())));
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("units", "metric");
        config.put("retries", 3);
        config.put("quota", 10_000_000_000L);
        config.put("ratio", 0.75);
        config.put("verbose", false);
        config.put("provider", nested);
        return new SkillSettings(true, "sk-weather-secret", Map.of("WEATHER_REGION", "env-value-secret", "WEATHER_DEBUG", "1"), config);
    }
}
