package chowder.adapter.http.channels;

import static org.assertj.core.api.Assertions.assertThat;

import chowder.adapter.http.NoInstanceSkills;
import chowder.adapter.http.RoutesHarness;
import chowder.application.port.out.InstanceProvisionerPort;
import chowder.application.port.out.SkillCatalogPort;
import chowder.application.port.out.SkillSettingsPort;
import chowder.application.service.ChannelService;
import chowder.application.service.InMemoryChannelSettings;
import chowder.application.service.InMemoryStore;
import chowder.application.service.SkillService;
import chowder.application.service.StandInChannels;
import chowder.domain.Channel;
import chowder.domain.Instance;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The hosted channel routes through a real Javalin server, over the real channel service and a stand-in for the
 * gateways: the catalog that needs no key and says nothing about instances, answers that never carry a credential,
 * which keys may ask, and the pairing extension.
 */
class ChannelRoutesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "123456:bot-token-" + UUID.randomUUID();

    private final InMemoryStore store = new InMemoryStore();
    private final StandInChannels gateways = new StandInChannels();
    private final InMemoryChannelSettings settings = new InMemoryChannelSettings();
    private RoutesHarness api;
    private String acmeKey;
    private String globexKey;
    private Instance instance;
    private String channels;

    @BeforeEach
    void start() {
        api = new RoutesHarness(store, new SkillService(store, InstanceProvisionerPort.DISABLED, new NoInstanceSkills(), SkillCatalogPort.NONE,
                SkillSettingsPort.NONE), new ChannelService(store, settings, gateways, new SecureRandom()));
        var acme = api.organizations.create("Acme");
        acmeKey = acme.apiKey().value();
        globexKey = api.organizations.create("Globex").apiKey().value();
        instance = api.provisioned(acme.organization().id(), true);
        channels = "/v1/instances/" + instance.id() + "/channels";
    }

    @AfterEach
    void stop() {
        api.close();
    }

    @Test
    void theCatalogNeedsNoKeyAndIsTheSameForEveryInstanceIdSoItSaysNothingAboutOne() throws Exception {
        HttpResponse<String> real = api.send("GET", channels + "/slack", null, null);
        HttpResponse<String> unknown = api.send("GET", "/v1/instances/" + UUID.randomUUID() + "/channels/slack", null, null);
        HttpResponse<String> notAnId = api.send("GET", "/v1/instances/anything/channels/slack", null, null);

        assertThat(real.statusCode()).as(real.body()).isEqualTo(200);
        assertThat(JSON.readTree(real.body())).isEqualTo(JSON.readTree("""
                {"channel": "slack", "connection_type": "token", "required_fields": {
                  "bot_token": "The bot user OAuth token (xoxb-…)", "app_token": "The app-level token for Socket Mode (xapp-…)"}}"""));
        assertThat(unknown.body()).isEqualTo(real.body());
        assertThat(notAnId.body()).isEqualTo(real.body());
        assertThat(JSON.readTree(api.send("GET", channels + "/whatsapp", null, null).body()).path("connection_type").asText()).isEqualTo("interactive");

        HttpResponse<String> noSuchChannel = api.send("GET", channels + "/myspace", null, null);
        assertThat(noSuchChannel.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(noSuchChannel.body()).path("detail").asText()).contains("Unknown channel 'myspace'", "telegram");
    }

    @Test
    void everyOtherChannelRouteNeedsAKeyHoweverThePathIsSpelled() throws Exception {
        for (String path : List.of(channels, channels + "/telegram/status", channels + "/telegram%2Fstatus", channels + "/telegram/pairing",
                channels + "/telegram%2fpairing", channels + "/telegram/status/", channels + "/./telegram/status")) {
            HttpResponse<String> refused = api.send("GET", path, null, null);
            assertThat(refused.statusCode()).as(path + ": " + refused.body()).isIn(400, 401, 404);
            assertThat(refused.body()).as(path).doesNotContain("\"enabled\"").doesNotContain("sender_id");
        }
        for (String action : List.of("/telegram/connect", "/telegram/pair", "/telegram/disconnect", "/telegram")) {
            HttpResponse<String> refused = api.send("POST", channels + action, null, "{\"config\": {\"token\": \"" + TOKEN + "\"}, \"code\": \"ABCD\"}");
            assertThat(refused.statusCode()).as(action).isIn(401, 405);
        }
        assertThat(settings.listByInstance(instance.id())).isEmpty();
    }

    @Test
    void aConnectAnswersTheHostedShapeAndNoAnswerEverCarriesTheCredential() throws Exception {
        HttpResponse<String> connected = api.send("POST", channels + "/telegram/connect", acmeKey, "{\"config\": {\"token\": \"" + TOKEN + "\"}}");

        assertThat(connected.statusCode()).as(connected.body()).isEqualTo(200);
        JsonNode answer = JSON.readTree(connected.body());
        assertThat(answer.path("channel").asText()).isEqualTo("telegram");
        assertThat(answer.path("status").asText()).isEqualTo("connected");
        assertThat(answer.path("message").asText()).contains("pairing code");
        assertThat(gateways.settingsOf(instance, Channel.TELEGRAM).orElseThrow().fields()).containsEntry("token", TOKEN);

        HttpResponse<String> listed = api.send("GET", channels, acmeKey, null);
        assertThat(JSON.readTree(listed.body()).findValues("channel")).hasSize(Channel.values().length);
        assertThat(listed.body()).contains("{\"channel\":\"telegram\",\"connection_type\":\"token\",\"enabled\":true}");
        HttpResponse<String> status = api.send("GET", channels + "/telegram/status", acmeKey, null);
        assertThat(JSON.readTree(status.body()).path("connected").asBoolean()).isTrue();
        assertThat(JSON.readTree(status.body()).path("details").path("running").asBoolean()).isTrue();
        assertThat(api.send("POST", channels + "/telegram/disconnect", acmeKey, null).statusCode()).isEqualTo(204);
        assertThat(JSON.readTree(api.send("GET", channels + "/telegram/status", acmeKey, null).body()).path("enabled").asBoolean()).isFalse();
        for (HttpResponse<String> shown : List.of(connected, listed, status, api.send("GET", channels + "/telegram", null, null))) {
            assertThat(shown.body()).doesNotContain(TOKEN).doesNotContain("bot-token");
        }

        HttpResponse<String> whatsapp = api.send("POST", channels + "/whatsapp/connect", acmeKey, "{}");
        assertThat(JSON.readTree(whatsapp.body()).path("status").asText()).isEqualTo("awaiting_scan");
        assertThat(JSON.readTree(whatsapp.body()).path("qr_image_base64").asText()).isEqualTo("iVBORw0KGgo=");
    }

    @Test
    void badBodiesAreClearErrorsThatNameFieldsNotValues() throws Exception {
        Map<String, Integer> cases = Map.of(
                "not json", 400,
                "[]", 400,
                "{\"config\": \"" + TOKEN + "\"}", 422,
                "{\"config\": {\"token\": 12}}", 422,
                "{\"config\": {\"token\": \"" + TOKEN + "\", \"extra\": \"" + TOKEN + "\"}}", 422,
                "{\"config\": {}}", 422);
        for (Map.Entry<String, Integer> bad : cases.entrySet()) {
            HttpResponse<String> refused = api.send("POST", channels + "/telegram/connect", acmeKey, bad.getKey());
            assertThat(refused.statusCode()).as(bad.getKey() + ": " + refused.body()).isEqualTo(bad.getValue());
            JsonNode body = JSON.readTree(refused.body());
            assertThat(body.path("detail").asText()).isNotBlank().doesNotContain(TOKEN);
        }
        HttpResponse<String> noCode = api.send("POST", channels + "/telegram/pair", acmeKey, "{}");
        assertThat(noCode.statusCode()).isEqualTo(422);
        assertThat(JSON.readTree(noCode.body()).path("detail").asText()).contains("code is required");
        assertThat(settings.listByInstance(instance.id())).isEmpty();
    }

    @Test
    void aPairingIsApprovedByCodeAndTheExtensionListsWhoWaits() throws Exception {
        api.send("POST", channels + "/telegram/connect", acmeKey, "{\"config\": {\"token\": \"" + TOKEN + "\"}}");
        gateways.pendingCodes.put("XK4P9QRA", "5151");

        HttpResponse<String> waiting = api.send("GET", channels + "/telegram/pairing", acmeKey, null);
        assertThat(JSON.readTree(waiting.body())).isEqualTo(JSON.readTree("""
                [{"sender_id": "5151", "sender_label": "Person 5151", "created_at": "2026-12-05T10:00:00Z", "expires_at": "2026-12-05T11:00:00Z"}]"""));

        HttpResponse<String> paired = api.send("POST", channels + "/telegram/pair", acmeKey, "{\"code\": \"xk4p9qra\"}");
        assertThat(paired.statusCode()).as(paired.body()).isEqualTo(200);
        assertThat(JSON.readTree(paired.body())).isEqualTo(JSON.readTree("""
                {"channel": "telegram", "code": "XK4P9QRA", "status": "approved", "output": "Approved telegram sender 5151."}"""));
        HttpResponse<String> again = api.send("POST", channels + "/telegram/pair", acmeKey, "{\"code\": \"XK4P9QRA\"}");
        assertThat(again.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(again.body()).path("detail").asText()).contains("No pending telegram pairing request has code XK4P9QRA");
    }

    @Test
    void aScopedKeyNeedsChannelsAndAnotherOrganizationSeesNoInstance() throws Exception {
        String channelsOnly = api.scopedKey(acmeKey, instance.id(), List.of("channels"));
        String everythingElse = api.scopedKey(acmeKey, instance.id(), List.of("read", "interact", "files", "configure"));

        assertThat(api.send("POST", channels + "/telegram/connect", channelsOnly, "{\"config\": {\"token\": \"" + TOKEN + "\"}}").statusCode())
                .isEqualTo(200);
        assertThat(api.send("GET", channels + "/telegram/status", channelsOnly, null).statusCode()).isEqualTo(200);
        for (HttpResponse<String> refused : List.of(api.send("GET", channels, everythingElse, null),
                api.send("POST", channels + "/telegram/disconnect", everythingElse, null),
                api.send("GET", channels + "/telegram/pairing", everythingElse, null))) {
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(403);
            assertThat(JSON.readTree(refused.body()).path("detail").asText()).contains("channels");
        }
        for (HttpResponse<String> hidden : List.of(api.send("GET", channels, globexKey, null),
                api.send("GET", channels + "/telegram/status", globexKey, null),
                api.send("POST", channels + "/telegram/disconnect", globexKey, null),
                api.send("POST", channels + "/telegram/connect", globexKey, "{\"config\": {\"token\": \"stolen\"}}"))) {
            assertThat(hidden.statusCode()).as(hidden.body()).isEqualTo(404);
        }
        assertThat(gateways.settingsOf(instance, Channel.TELEGRAM).orElseThrow().enabled()).isTrue();
        assertThat(gateways.settingsOf(instance, Channel.TELEGRAM).orElseThrow().fields()).containsEntry("token", TOKEN);
    }
}
