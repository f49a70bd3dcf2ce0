package chowder.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SkillSettingsTest {
    @Test
    void aPatchReplacesWhatItGivesMergesEnvAndConfigAndRemovesWithNullOrEmpty() {
        SkillSettings stored = new SkillSettings(true, "old-key", Map.of("A", "1", "B", "2"),
                Map.of("endpoint", "https://a.example", "limits", Map.of("n", 1, "m", 2)));
        Map<String, String> env = new HashMap<>();
        env.put("A", null);
        env.put("B", "");
        env.put("C", "3");
        Map<String, Object> config = new HashMap<>();
        config.put("endpoint", null);
        config.put("limits", Map.of("n", 5));

        SkillSettings next = stored.with(new SkillSettingsPatch(Optional.empty(), Optional.of(""), env, config));

        assertThat(next.enabled()).isTrue();
        assertThat(next.apiKey()).isNull();
        assertThat(next.env()).containsExactly(Map.entry("C", "3"));
        assertThat(next.config()).containsExactly(Map.entry("limits", Map.of("n", 5, "m", 2)));
        assertThat(next.toString()).doesNotContain("3", "old-key");
        assertThat(SkillSettings.NONE.with(SkillSettingsPatch.ofEnv(Map.of("X", "secret"))).toString()).doesNotContain("secret");
        assertThat(new SkillSettings(null, null, Map.of(), Map.of()).isEmpty()).isTrue();
    }

    @Test
    void envNamesMustBeVariableNames() {
        assertThatThrownBy(() -> SkillSettingsPatch.ofEnv(Map.of("NOT A NAME", "x")))
                .isInstanceOfSatisfying(ChowderException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.VALIDATION_FAILED));
        assertThatThrownBy(() -> SkillSettingsPatch.ofEnv(Map.of("OK", "a\0b"))).isInstanceOf(ChowderException.class);
    }

    @Test
    void aSlugIsASafeDirectoryNameAndAClawHubReferenceInstallsAsItsName() {
        assertThat(SkillSlug.of(" Weather-Report ").value()).isEqualTo("weather-report");
        assertThat(SkillSlug.of("@someone/ticket.desk").value()).isEqualTo("ticket.desk");
        for (String bad : new String[] {"../etc", "a/b", ".hidden", "a..b", "", "x.", "-".repeat(70), "a b"}) {
            assertThatThrownBy(() -> SkillSlug.of(bad)).as(bad).isInstanceOfSatisfying(ChowderException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.VALIDATION_FAILED));
        }
    }
}
