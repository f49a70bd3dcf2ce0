package chowder.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import chowder.e2e.TelegramChannelEnvironment.Person;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A channel OpenClaw does not bundle (Discord) gets its official plugin from the npm registry, installed by OpenClaw in
 * the instance's sandbox, and runs beside Telegram ({@link TelegramChannelEnvironment}); one whose service the operator
 * did not allow is refused before anything happens.
 */
class ChannelsPluginTest extends ChannelsTestBase {

    @Test
    void aPluginChannelGetsItsOfficialPluginFromNpmInTheSandboxAndRunsBesideTelegram() {
        Person alice = env.pairedPerson("Alice", 4);
        ChowderApi api = env.api();
        String channels = env.channels();

        HttpResponse<String> notAllowed = api.post(channels + "/mattermost/connect", env.key(),
                "{\"config\": {\"bot_token\": \"mm-token\", \"base_url\": \"https://chat.example.org\"}}");
        assertThat(notAllowed.statusCode()).as(notAllowed.body()).isEqualTo(409);
        assertThat(ChowderApi.json(notAllowed.body()).path("detail").asText()).contains("chat.example.org:443", "CHOWDER_SANDBOX_EGRESS_ALLOW");

        // A first connect restarts the gateway, which installs the plugin before it starts: minutes on a busy machine.
        HttpResponse<String> connected = api.post(channels + "/discord/connect", env.key(), "{\"config\": {\"token\": \"MTAx.not-a.real-token\"}}",
                Duration.ofMinutes(8));

        assertThat(connected.statusCode()).as(connected.body()).isEqualTo(200);
        assertThat(ChowderApi.json(connected.body()).path("status").asText()).isEqualTo("connected");
        // The plugin runs: the gateway reports the channel configured and running (it cannot reach Discord from here).
        JsonNode status = ChowderApi.json(api.get(channels + "/discord/status", env.key()).body());
        assertThat(status.path("enabled").asBoolean()).as(status.toString()).isTrue();
        assertThat(status.path("details").path("configured").asBoolean()).as(status.toString()).isTrue();
        assertThat(status.path("details").path("running").asBoolean()).as(status.toString()).isTrue();
        assertThat(env.chowder().log()).contains("Installed the discord plugin (@openclaw/discord@");
        // Telegram still answers after the gateway's restart for the install.
        assertThat(env.askOnTelegram(alice, "alice after discord").turns()).isEqualTo(5);
        // Installed once: a reconnect does not restart the gateway.
        assertThat(api.post(channels + "/discord/disconnect", env.key(), "").statusCode()).isEqualTo(204);
        int launches = occurrences(env.chowder().log(), "is ready on port");
        assertThat(api.post(channels + "/discord/connect", env.key(), "{}").statusCode()).isEqualTo(200);
        assertThat(occurrences(env.chowder().log(), "is ready on port")).isEqualTo(launches);
        assertThat(occurrences(env.chowder().log(), "Installed the discord plugin")).isEqualTo(1);
    }

    private static int occurrences(String text, String part) {
        return text.split(Pattern.quote(part), -1).length - 1;
    }
}
