package chowder.adapter.persistence;

import static chowder.application.port.out.contract.SkillSettingsSamples.weather;
import static org.assertj.core.api.Assertions.assertThat;

import chowder.application.port.out.ChannelSettingsPort;
import chowder.application.port.out.ModelKeysPort;
import chowder.application.port.out.SaveApiKeyPort;
import chowder.application.port.out.SaveInstancePort;
import chowder.application.port.out.SaveOrganizationPort;
import chowder.application.port.out.SkillSettingsPort;
import chowder.application.service.KeyLimits;
import chowder.domain.ApiKey;
import chowder.domain.ApiKeyKind;
import chowder.domain.ApiKeySecret;
import chowder.domain.Channel;
import chowder.domain.ChannelSettings;
import chowder.domain.Instance;
import chowder.domain.KeyScope;
import chowder.domain.ModelApiKey;
import chowder.domain.ModelProviderName;
import chowder.domain.Organization;
import chowder.domain.Permission;
import chowder.domain.SessionId;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * No secret is stored in the clear: API keys only as hashes; gateway tokens, model keys, channel and skill settings
 * encrypted. The scans' positive control shows they do find a value that is stored in the clear.
 */
abstract class SecretsAtRestTests extends DatabaseTest {
    private static final Predicate<String> A_TEST_TOKEN = value -> value.contains("token-") && value.contains("-secret");

    @Test
    void apiKeysAreStoredOnlyAsTheirHash() {
        ApiKeySecret secret = ApiKeySecret.generate(ApiKeyKind.ORGANIZATION, RANDOM);
        Organization organization = Organization.create("Acme", now);
        injector.getInstance(SaveOrganizationPort.class).insertWithKey(organization, ApiKey.issue(organization.id(), "default", secret, now));
        Instance bot = stored(organization, "bot", "t");
        ApiKeySecret scoped = ApiKeySecret.generate(ApiKeyKind.SCOPED, RANDOM);
        KeyScope scope = new KeyScope(Map.of(bot.id(), Set.of(Permission.READ)), Set.of(SessionId.of("user-42")), Optional.of("tenant-7/"));
        injector.getInstance(SaveApiKeyPort.class).insertWithinLimit(ApiKey.issue(organization.id(), "scoped", scoped, scope, Optional.empty(), now),
                KeyLimits.DEFAULT_MAX_PER_ORGANIZATION);

        assertThat(StoredSecrets.everyStoredValue(jdbi())).noneMatch(value -> value.contains(secret.value().substring(8)));
        assertThat(StoredSecrets.everyStoredValue(jdbi())).noneMatch(value -> value.contains(scoped.value().substring(7)));
    }

    @Test
    void gatewayTokensAreStoredEncrypted() {
        Organization acme = organization("Acme");
        SaveInstancePort save = injector.getInstance(SaveInstancePort.class);
        List.of(instance(acme, "older", now.minusSeconds(60), "token-older-secret"), instance(acme, "newer", now, "token-newer-secret"),
                instance(organization("Globex"), "foreign", now, "token-foreign-secret")).forEach(instance -> save.insertWithinLimit(instance, 0));

        assertThat(StoredSecrets.everyStoredValue(jdbi())).noneMatch(A_TEST_TOKEN);
    }

    @Test
    void theScansFindWhatIsStoredInTheClear() {
        // The positive control of the scans above and below: what is kept in the clear, and a secret written there with
        // plain SQL, are found by the very same reads and predicates.
        Organization acme = organization("Acme Unencrypted Name");
        Instance bot = stored(acme, "bot", "token-bot-secret");
        ApiKeySecret secret = ApiKeySecret.generate(ApiKeyKind.ORGANIZATION, RANDOM);
        assertThat(StoredSecrets.everyStoredValue(jdbi())).anyMatch(value -> value.contains("Acme Unencrypted Name"));
        jdbi().useHandle(handle -> {
            handle.execute("UPDATE instances SET gateway_token_encrypted = 'token-bot-secret' WHERE id = ?", bot.id().value());
            handle.execute("UPDATE organizations SET name = ? WHERE id = ?", secret.value(), acme.id().value());
        });
        assertThat(StoredSecrets.everyStoredValue(jdbi())).anyMatch(A_TEST_TOKEN);
        assertThat(StoredSecrets.everyStoredValue(jdbi())).anyMatch(value -> value.contains(secret.value().substring(8)));

        injector.getInstance(SkillSettingsPort.class).save(bot.id(), "weather", weather());
        jdbi().useHandle(handle -> handle.execute("UPDATE instance_skill_settings SET settings_encrypted = ? WHERE instance_id = ?",
                "{\"api_key\":\"sk-weather-secret\"}", bot.id().value()));
        assertThat(StoredSecrets.skillSettings(jdbi(), bot.id(), "weather")).doesNotStartWith("v1:").contains("sk-weather-secret");
    }

    @Test
    void skillSettingsAreStoredEncryptedAsAWhole() {
        Instance bot = stored(organization("Acme"), "bot", "t");
        injector.getInstance(SkillSettingsPort.class).save(bot.id(), "weather", weather());

        assertThat(StoredSecrets.skillSettings(jdbi(), bot.id(), "weather")).startsWith("v1:")
                .doesNotContain("sk-weather-secret", "env-value-secret", "nested-value", "WEATHER_REGION", "metric");
    }

    @Test
    void channelSettingsAreStoredEncrypted() {
        Instance bot = stored(organization("Acme"), "bot", "t");
        injector.getInstance(ChannelSettingsPort.class).save(bot.id(), Channel.TELEGRAM,
                new ChannelSettings(true, Map.of("token", "123456:telegram-secret")));

        assertThat(StoredSecrets.channelSettings(jdbi(), bot.id(), Channel.TELEGRAM)).startsWith("v1:").doesNotContain("telegram-secret", "token");
    }

    @Test
    void modelKeysAreStoredEncrypted() {
        ModelKeysPort keys = injector.getInstance(ModelKeysPort.class);
        keys.change(organization("Acme").id(), Map.of(ModelProviderName.OPENAI, Optional.of(new ModelApiKey("sk-acme-openai-secret")),
                ModelProviderName.ANTHROPIC, Optional.of(new ModelApiKey("sk-acme-anthropic-secret"))));
        keys.change(organization("Globex").id(), Map.of(ModelProviderName.OPENAI, Optional.of(new ModelApiKey("sk-globex-openai-secret"))));

        assertThat(StoredSecrets.modelKeys(jdbi())).hasSize(3).allSatisfy(value -> assertThat(value).startsWith("v1:").doesNotContain("secret"));
    }
}
