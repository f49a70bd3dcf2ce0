package chowder.adapter.persistence;

import static chowder.application.port.out.contract.SkillSettingsSamples.weather;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chowder.application.port.out.ChannelSettingsPort;
import chowder.application.port.out.LoadInstancePort;
import chowder.application.port.out.ModelKeysPort;
import chowder.application.port.out.SkillSettingsPort;
import chowder.domain.Channel;
import chowder.domain.ChannelSettings;
import chowder.domain.Instance;
import chowder.domain.ModelApiKey;
import chowder.domain.ModelProviderName;
import chowder.domain.Organization;
import chowder.domain.SkillSettings;
import com.google.inject.Injector;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A rotation of the master key re-encrypts every secret: the new key reads each, the old one none. */
abstract class KeyRotationTests extends DatabaseTest {
    @Test
    void rotatingTheMasterKeyReEncryptsEveryToken() {
        Instance instance = stored(organization("Acme"), "bot", "token-to-rotate");
        MasterKey next = MasterKey.generate(RANDOM);
        assertThat(injector.getInstance(MasterKeyRotation.class).rotateTo(next)).isEqualTo(1);

        Injector rotated = injectorFor(next);
        try {
            assertThat(rotated.getInstance(LoadInstancePort.class).findById(instance.id()).orElseThrow().gatewayToken().value())
                    .isEqualTo("token-to-rotate");
        } finally {
            DatabaseNodes.close(rotated);
        }
        assertThatThrownBy(() -> injector.getInstance(LoadInstancePort.class).findById(instance.id())).hasMessageContaining("master key differs");
    }

    @Test
    void rotatingTheMasterKeyReEncryptsSkillSettings() {
        Instance bot = stored(organization("Acme"), "bot", "token-to-rotate");
        Instance other = stored(organization("Globex"), "other", "other-token");
        SkillSettings calendar = new SkillSettings(true, "sk-calendar-secret", Map.of("CALENDAR_URL", "https://cal.example"), Map.of());
        injector.getInstance(SkillSettingsPort.class).save(bot.id(), "weather", weather());
        injector.getInstance(SkillSettingsPort.class).save(bot.id(), "calendar", calendar);
        injector.getInstance(SkillSettingsPort.class).save(other.id(), "weather", calendar);
        String before = StoredSecrets.skillSettings(jdbi(), bot.id(), "weather");
        MasterKey next = MasterKey.generate(RANDOM);
        assertThat(injector.getInstance(MasterKeyRotation.class).rotateTo(next)).as("counts gateway tokens").isEqualTo(2);

        assertThat(StoredSecrets.skillSettings(jdbi(), bot.id(), "weather")).isNotEqualTo(before);
        Injector rotated = injectorFor(next);
        try {
            SkillSettingsPort underNewKey = rotated.getInstance(SkillSettingsPort.class);
            assertThat(underNewKey.listByInstance(bot.id()))
                    .containsExactly(Map.entry("calendar", calendar), Map.entry("weather", weather()));
            assertThat(underNewKey.listByInstance(other.id())).containsExactly(Map.entry("weather", calendar));
        } finally {
            DatabaseNodes.close(rotated);
        }
        // Every row moved: the old key opens none of them.
        for (Instance instance : List.of(bot, other)) {
            assertThatThrownBy(() -> injector.getInstance(SkillSettingsPort.class).listByInstance(instance.id()))
                    .hasMessageContaining("master key differs");
        }
    }

    @Test
    void rotatingTheMasterKeyReEncryptsChannelSettings() {
        Instance bot = stored(organization("Acme"), "bot", "token-to-rotate");
        ChannelSettings telegram = new ChannelSettings(false, Map.of("token", "123456:telegram-secret"));
        injector.getInstance(ChannelSettingsPort.class).save(bot.id(), Channel.TELEGRAM, telegram);
        MasterKey next = MasterKey.generate(RANDOM);
        injector.getInstance(MasterKeyRotation.class).rotateTo(next);

        Injector rotated = injectorFor(next);
        try {
            assertThat(rotated.getInstance(ChannelSettingsPort.class).listByInstance(bot.id())).containsExactly(Map.entry(Channel.TELEGRAM, telegram));
        } finally {
            DatabaseNodes.close(rotated);
        }
        assertThatThrownBy(() -> injector.getInstance(ChannelSettingsPort.class).listByInstance(bot.id())).hasMessageContaining("master key differs");
    }

    @Test
    void rotatingTheMasterKeyReEncryptsModelKeys() {
        Organization acme = organization("Acme");
        injector.getInstance(ModelKeysPort.class).change(acme.id(),
                Map.of(ModelProviderName.OPENAI, Optional.of(new ModelApiKey("sk-acme-openai-secret"))));

        MasterKey next = MasterKey.generate(RANDOM);
        injector.getInstance(MasterKeyRotation.class).rotateTo(next);
        Injector rotated = injectorFor(next);
        Injector old = injectorFor(masterKey);
        try {
            assertThat(rotated.getInstance(ModelKeysPort.class).keyOf(acme.id(), ModelProviderName.OPENAI)).map(ModelApiKey::value)
                    .hasValue("sk-acme-openai-secret");
            assertThatThrownBy(() -> old.getInstance(ModelKeysPort.class).keyOf(acme.id(), ModelProviderName.OPENAI))
                    .hasMessageContaining("master key differs");
        } finally {
            DatabaseNodes.close(rotated);
            DatabaseNodes.close(old);
        }
    }
}
