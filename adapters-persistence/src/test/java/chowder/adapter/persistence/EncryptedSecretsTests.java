package chowder.adapter.persistence;

import static chowder.application.port.out.contract.SkillSettingsSamples.weather;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chowder.application.port.out.ChannelSettingsPort;
import chowder.application.port.out.ModelKeysPort;
import chowder.application.port.out.SkillSettingsPort;
import chowder.domain.Channel;
import chowder.domain.ChannelSettings;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.Instance;
import chowder.domain.ModelApiKey;
import chowder.domain.ModelProviderName;
import chowder.domain.Organization;
import chowder.domain.SkillSettings;
import com.google.inject.Injector;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * An encrypted secret is bound to its row: copied onto another row it does not decrypt, and says so without quoting it.
 * Skill settings are bounded by what their column holds.
 */
abstract class EncryptedSecretsTests extends DatabaseTest {
    @Test
    void skillSettingsOverTheirLimitAreRefusedAndWhatWasStoredStays() {
        Instance bot = stored(organization("Acme"), "bot", "t");
        SkillSettingsPort skills = injector.getInstance(SkillSettingsPort.class);
        skills.save(bot.id(), "weather", weather());

        SkillSettings huge = new SkillSettings(null, null, Map.of(), Map.of("blob", "x".repeat(70 * 1024)));
        assertThatThrownBy(() -> skills.save(bot.id(), "weather", huge))
                .isInstanceOfSatisfying(ChowderException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.VALIDATION_FAILED);
                    assertThat(e.getMessage()).contains("64 KiB").doesNotContain("xxxx");
                });
        assertThatThrownBy(() -> skills.save(bot.id(), "k".repeat(201), weather())).isInstanceOf(ChowderException.class);
        assertThat(skills.listByInstance(bot.id())).containsExactly(Map.entry("weather", weather()));

        skills.deleteAll(bot.id());
        assertThat(skills.listByInstance(bot.id())).isEmpty();
    }

    @Test
    void skillSettingsCopiedOntoAnotherRowDoNotDecrypt() {
        Organization acme = organization("Acme");
        Instance bot = stored(acme, "bot", "t");
        Instance other = stored(acme, "other", "t");
        SkillSettingsPort skills = injector.getInstance(SkillSettingsPort.class);
        skills.save(bot.id(), "weather", weather());
        String stored = StoredSecrets.skillSettings(jdbi(), bot.id(), "weather");
        String insert = "INSERT INTO instance_skill_settings (instance_id, skill_key, settings_encrypted, updated_at) VALUES (?, ?, ?, ?)";
        jdbi().useHandle(handle -> handle.execute(insert, bot.id().value(), "calendar", stored, now));
        jdbi().useHandle(handle -> handle.execute(insert, other.id().value(), "weather", stored, now));

        assertThatThrownBy(() -> skills.listByInstance(bot.id()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("skill calendar")
                .hasMessageContaining("master key differs")
                .message().doesNotContain("sk-weather-secret", "env-value-secret");
        assertThatThrownBy(() -> skills.listByInstance(other.id()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("master key differs");
    }

    @Test
    void channelSettingsCopiedOntoAnotherInstanceDoNotDecrypt() {
        Organization acme = organization("Acme");
        Instance bot = stored(acme, "bot", "t");
        Instance other = stored(acme, "other", "t");
        ChannelSettingsPort channels = injector.getInstance(ChannelSettingsPort.class);
        channels.save(bot.id(), Channel.TELEGRAM, new ChannelSettings(true, Map.of("token", "123456:telegram-secret")));
        channels.save(other.id(), Channel.TELEGRAM, new ChannelSettings(true, Map.of("token", "other-secret")));

        String stored = StoredSecrets.channelSettings(jdbi(), bot.id(), Channel.TELEGRAM);
        jdbi().useHandle(handle -> handle.execute("UPDATE instance_channel_settings SET settings_encrypted = ? WHERE instance_id = ? AND channel = 'telegram'",
                stored, other.id().value()));
        assertThatThrownBy(() -> channels.listByInstance(other.id())).hasMessageContaining("master key differs")
                .message().doesNotContain("telegram-secret");
    }

    @Test
    void aModelKeyCopiedOntoAnotherOrganizationDoesNotDecrypt() {
        Organization acme = organization("Acme");
        Organization globex = organization("Globex");
        ModelKeysPort keys = injector.getInstance(ModelKeysPort.class);
        keys.change(acme.id(), Map.of(ModelProviderName.OPENAI, Optional.of(new ModelApiKey("sk-acme-openai-secret"))));
        keys.change(globex.id(), Map.of(ModelProviderName.OPENAI, Optional.of(new ModelApiKey("sk-globex-openai-secret"))));

        jdbi().useHandle(handle -> handle.execute("UPDATE organization_model_keys SET key_encrypted = ? WHERE organization_id = ?",
                StoredSecrets.modelKeyOf(jdbi(), acme.id()), globex.id().value()));
        // A node that never read the key before: nothing cached.
        Injector fresh = injectorFor(masterKey);
        try {
            assertThatThrownBy(() -> fresh.getInstance(ModelKeysPort.class).keyOf(globex.id(), ModelProviderName.OPENAI))
                    .hasMessageContaining("cannot decrypt the openai key of organization " + globex.id()).message().doesNotContain("secret");
        } finally {
            DatabaseNodes.close(fresh);
        }
    }
}
