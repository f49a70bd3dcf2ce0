package chowder.application.port.out.contract;

import static chowder.application.port.out.contract.SkillSettingsSamples.weather;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chowder.application.port.out.SkillSettingsPort;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.Instance;
import chowder.domain.InstanceId;
import chowder.domain.Organization;
import chowder.domain.SkillSettings;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The contract of the skill settings store: every field kept, listed per instance by key, empty settings removed. */
public abstract class SkillSettingsStoreContract extends StoreContract {
    @Test
    void skillSettingsKeepEveryFieldAndAreListedPerInstanceSortedByKey() {
        Organization acme = organization("Acme");
        Instance bot = stored(acme, "bot", "t");
        Instance other = stored(acme, "other", "t");
        SkillSettingsPort skills = port(SkillSettingsPort.class);
        SkillSettings onlyConfig = new SkillSettings(null, null, Map.of(), Map.of("units", "metric"));
        SkillSettings otherInstances = new SkillSettings(false, "sk-other-secret", Map.of(), Map.of());
        skills.save(bot.id(), "weather", weather());
        skills.save(bot.id(), "calendar", onlyConfig);
        skills.save(other.id(), "weather", otherInstances);

        Map<String, SkillSettings> listed = skills.listByInstance(bot.id());
        assertThat(listed).containsExactly(Map.entry("calendar", onlyConfig), Map.entry("weather", weather()));
        assertThat(listed.get("calendar").enabled()).isNull();
        assertThat(listed.get("calendar").apiKey()).isNull();
        assertThat(skills.listByInstance(other.id())).containsExactly(Map.entry("weather", otherInstances));
        assertThat(skills.listByInstance(InstanceId.random())).isEmpty();
    }

    @Test
    void savingEmptySkillSettingsRemovesThemAndSavingAgainReplacesThem() {
        Instance bot = stored(organization("Acme"), "bot", "t");
        SkillSettingsPort skills = port(SkillSettingsPort.class);
        skills.save(bot.id(), "weather", weather());
        skills.save(bot.id(), "weather", SkillSettings.NONE);
        assertThat(skills.listByInstance(bot.id())).isEmpty();

        skills.save(bot.id(), "weather", weather());
        SkillSettings turnedOff = new SkillSettings(false, null, Map.of(), Map.of());
        skills.save(bot.id(), "weather", turnedOff);
        skills.save(bot.id(), "calendar", turnedOff);
        assertThat(skills.listByInstance(bot.id())).containsExactly(Map.entry("calendar", turnedOff), Map.entry("weather", turnedOff));

        skills.delete(bot.id(), "weather");
        skills.delete(bot.id(), "never-saved");
        assertThat(skills.listByInstance(bot.id())).containsOnlyKeys("calendar");
        skills.save(bot.id(), "never-saved", SkillSettings.NONE);
        assertThat(skills.listByInstance(bot.id())).containsOnlyKeys("calendar");

        skills.deleteAll(bot.id());
        assertThat(skills.listByInstance(bot.id())).isEmpty();
    }

    @Test
    void skillSettingsOfAnUnknownInstanceAreRefused() {
        assertThatThrownBy(() -> port(SkillSettingsPort.class).save(InstanceId.random(), "weather", weather()))
                .isInstanceOfSatisfying(ChowderException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INSTANCE_NOT_FOUND));
    }
}
