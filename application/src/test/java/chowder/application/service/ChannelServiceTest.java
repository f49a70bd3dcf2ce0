package chowder.application.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chowder.application.port.in.ManageChannelsUseCase.ChannelStatus;
import chowder.application.port.in.ManageChannelsUseCase.ChannelSummary;
import chowder.application.port.in.ManageChannelsUseCase.Connection;
import chowder.domain.Caller;
import chowder.domain.Channel;
import chowder.domain.ChannelSettings;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.GatewayToken;
import chowder.domain.GatewayUrl;
import chowder.domain.Instance;
import chowder.domain.InstanceSettings;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The channel rules Chowder owns, over a stand-in for the gateways (proven end to end against OpenClaw and a Telegram
 * Bot API on loopback): which instances have channels, which fields a connect takes, that fields are kept through a
 * disconnect, and when a pairing is approved.
 */
class ChannelServiceTest {
    private static final Instant NOW = Instant.parse("2026-12-05T10:00:00Z");
    private final InMemoryStore store = new InMemoryStore();
    private final OrganizationService organizations = TestServices.organizations(store, Clock.systemUTC());
    private final AuthenticationService authentication = new AuthenticationService(store, store, new KeyUsageRecorder(store), Clock.systemUTC());
    private final StandInChannels gateways = new StandInChannels();
    private final InMemoryChannelSettings settings = new InMemoryChannelSettings();
    private final ChannelService channels = new ChannelService(store, settings, gateways, new SecureRandom());
    private final Caller acme = caller("Acme");

    @Test
    void aConnectStoresExactlyTheChannelsFieldsTurnsItOnAndTheGatewayGetsThem() {
        Instance instance = running(acme);

        Connection connection = channels.connect(acme, instance.id(), "telegram", Map.of("token", " 123:abc "));

        assertThat(connection.awaitingScan()).isFalse();
        assertThat(connection.message()).contains("pairing code").doesNotContain("123:abc");
        ChannelSettings stored = settings.listByInstance(instance.id()).get(Channel.TELEGRAM);
        assertThat(stored).isEqualTo(new ChannelSettings(true, Map.of("token", "123:abc")));
        assertThat(gateways.settingsOf(instance, Channel.TELEGRAM)).contains(stored);
        assertThat(gateways.installedPlugins).as("telegram is bundled in OpenClaw").isEmpty();
        assertThat(channels.list(acme, instance.id())).filteredOn(ChannelSummary::enabled).extracting(ChannelSummary::channel)
                .containsExactly(Channel.TELEGRAM);
    }

    @Test
    void aConnectNamesTheFieldThatIsMissingOrUnknownButNeverAValue() {
        Instance instance = running(acme);

        assertValidation(() -> channels.connect(acme, instance.id(), "slack", Map.of("bot_token", "xoxb-secret-1")), "config.app_token is required");
        assertValidation(() -> channels.connect(acme, instance.id(), "telegram", Map.of("token", "t", "webhook", "secret-2")),
                "config.webhook is not a field of telegram");
        assertValidation(() -> channels.connect(acme, instance.id(), "telegram", Map.of("token", 42)), "config.token must be a string");
        assertValidation(() -> channels.connect(acme, instance.id(), "telegram", Map.of("token", "a\u0000b")), "without control characters");
        assertValidation(() -> channels.connect(acme, instance.id(), "telegram", Map.of("token", "x".repeat(4097))), "at most 4096");
        // OpenClaw would put its own environment there (the gateway's token, its model credential) for a channels-only key.
        assertValidation(() -> channels.connect(acme, instance.id(), "mattermost",
                Map.of("bot_token", "b", "base_url", "https://chat.example.com/${MODEL_CREDENTIAL}")), "config.base_url must not contain ${NAME}");
        assertValidation(() -> channels.connect(acme, instance.id(), "telegram", Map.of("token", "${OPENCLAW_GATEWAY_TOKEN}")),
                "config.token must not contain ${NAME}");
        assertThat(settings.listByInstance(instance.id())).isEmpty();
        assertThat(gateways.configured).isEmpty();
        assertCode(() -> channels.connect(acme, instance.id(), "myspace", Map.of()), ErrorCode.NOT_FOUND);
    }

    @Test
    void aPluginChannelIsInstalledFirstAndOnlyWhenItsServiceIsReachable() {
        Instance instance = running(acme);
        gateways.unreachable.add(Channel.DISCORD);

        assertThatThrownBy(() -> channels.connect(acme, instance.id(), "discord", Map.of("token", "discord-token")))
                .isInstanceOfSatisfying(ChowderException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INSTANCE_STATE_CONFLICT);
                    assertThat(e.getMessage()).contains("CHOWDER_SANDBOX_EGRESS_ALLOW").doesNotContain("discord-token");
                });
        assertThat(gateways.installedPlugins).isEmpty();
        assertThat(settings.listByInstance(instance.id())).isEmpty();

        gateways.unreachable.clear();
        channels.connect(acme, instance.id(), "discord", Map.of("token", "discord-token"));
        assertThat(gateways.installedPlugins).containsExactly("@openclaw/discord");
        assertThat(gateways.settingsOf(instance, Channel.DISCORD)).contains(new ChannelSettings(true, Map.of("token", "discord-token")));
    }

    @Test
    void aPluginThatCannotBeInstalledLeavesTheChannelAsItWas() {
        Instance instance = running(acme);
        gateways.unavailablePlugins.add(Channel.SLACK);

        assertCode(() -> channels.connect(acme, instance.id(), "slack", Map.of("bot_token", "xoxb-1", "app_token", "xapp-1")),
                ErrorCode.PLUGIN_REGISTRY_FAILED);

        // Off, with the fields kept for a retry that needs none.
        assertThat(settings.listByInstance(instance.id()).get(Channel.SLACK)).isEqualTo(new ChannelSettings(false,
                Map.of("bot_token", "xoxb-1", "app_token", "xapp-1")));
        assertThat(gateways.settingsOf(instance, Channel.SLACK)).map(ChannelSettings::enabled).contains(false);
        gateways.unavailablePlugins.clear();
        channels.connect(acme, instance.id(), "slack", Map.of());
        assertThat(gateways.settingsOf(instance, Channel.SLACK)).map(ChannelSettings::enabled).contains(true);
        assertThat(gateways.installedPlugins).containsExactly("@openclaw/slack");
    }

    @Test
    void nostrNeedsNoFieldsItsKeyIsMadeOnceAndKeptAcrossReconnects() {
        Instance instance = running(acme);

        channels.connect(acme, instance.id(), "nostr", Map.of());
        String key = settings.listByInstance(instance.id()).get(Channel.NOSTR).fields().get("private_key");
        assertThat(key).matches("[0-9a-f]{64}");
        assertValidation(() -> channels.connect(acme, instance.id(), "nostr", Map.of("private_key", "mine")), "not a field of nostr");

        channels.disconnect(acme, instance.id(), "nostr");
        channels.connect(acme, instance.id(), "nostr", Map.of());
        assertThat(settings.listByInstance(instance.id()).get(Channel.NOSTR).fields()).containsEntry("private_key", key);
    }

    @Test
    void aChannelThatNeedsInboundWebhooksOrASignalDaemonIsAClearConflictNotAConnectedBotThatHearsNothing() {
        Instance instance = running(acme);

        for (String channel : java.util.List.of("msteams", "googlechat", "line", "signal")) {
            assertThatThrownBy(() -> channels.connect(acme, instance.id(), channel, Map.of()))
                    .isInstanceOfSatisfying(ChowderException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.INSTANCE_STATE_CONFLICT);
                        assertThat(e.getMessage()).startsWith(channel + " cannot be connected on this Chowder yet: ").contains("telegram, discord");
                    });
        }
        assertThat(settings.listByInstance(instance.id())).isEmpty();
        assertThat(gateways.installedPlugins).isEmpty();
    }

    @Test
    void anInteractiveChannelAnswersTheCodeToScan() {
        Instance instance = running(acme);

        Connection connection = channels.connect(acme, instance.id(), "whatsapp", Map.of());

        assertThat(connection.awaitingScan()).isTrue();
        assertThat(connection.qrImageBase64()).contains("iVBORw0KGgo=");
    }

    @Test
    void aDisconnectTurnsTheChannelOffAndKeepsItsFieldsSoAReconnectNeedsNone() {
        Instance instance = running(acme);
        channels.connect(acme, instance.id(), "telegram", Map.of("token", "123:abc"));

        channels.disconnect(acme, instance.id(), "telegram");

        assertThat(settings.listByInstance(instance.id()).get(Channel.TELEGRAM)).isEqualTo(new ChannelSettings(false, Map.of("token", "123:abc")));
        assertThat(gateways.settingsOf(instance, Channel.TELEGRAM)).map(ChannelSettings::enabled).contains(false);
        ChannelStatus status = channels.status(acme, instance.id(), "telegram");
        assertThat(status.enabled()).isFalse();
        assertThat(status.connected()).isFalse();
        assertCode(() -> channels.disconnect(acme, instance.id(), "discord"), ErrorCode.NOT_FOUND);
        assertCode(() -> channels.pair(acme, instance.id(), "telegram", "ABCD1234"), ErrorCode.INSTANCE_STATE_CONFLICT);

        channels.connect(acme, instance.id(), "telegram", Map.of());
        assertThat(settings.listByInstance(instance.id()).get(Channel.TELEGRAM)).isEqualTo(new ChannelSettings(true, Map.of("token", "123:abc")));
        assertThat(channels.status(acme, instance.id(), "telegram").connected()).isTrue();
        channels.connect(acme, instance.id(), "telegram", Map.of("token", "456:def"));
        assertThat(gateways.settingsOf(instance, Channel.TELEGRAM)).map(kept -> kept.fields().get("token")).contains("456:def");
    }

    @Test
    void aPairingIsApprovedByTheCodeThePersonGotAndAnUnknownCodeIsNotFound() {
        Instance instance = running(acme);
        channels.connect(acme, instance.id(), "telegram", Map.of("token", "123:abc"));
        gateways.pendingCodes.put("XK4P9QRA", "5151");

        assertThat(channels.pairingRequests(acme, instance.id(), "telegram")).singleElement()
                .satisfies(request -> assertThat(request.senderId()).isEqualTo("5151"));
        assertThat(channels.pair(acme, instance.id(), "telegram", " xk4p9qra ")).contains("Approved telegram sender 5151");
        assertThat(gateways.pendingCodes).isEmpty();

        assertCode(() -> channels.pair(acme, instance.id(), "telegram", "XK4P9QRA"), ErrorCode.NOT_FOUND);
        assertValidation(() -> channels.pair(acme, instance.id(), "telegram", "--config=/etc/passwd"), "4 to 16 letters and digits");
        assertValidation(() -> channels.pair(acme, instance.id(), "telegram", null), "4 to 16 letters and digits");
    }

    @Test
    void onlyAProvisionedInstanceOfTheCallersOrganizationHasChannelsAndAStoppedOneSaysSo() {
        Instance registered = Instance.register(acme.organizationId(), "registered", GatewayUrl.of("http://127.0.0.1:18789"),
                new GatewayToken("t"), InstanceSettings.NONE, NOW);
        store.insertWithinLimit(registered, 10);
        assertThatThrownBy(() -> channels.connect(acme, registered.id(), "telegram", Map.of("token", "t")))
                .isInstanceOfSatisfying(ChowderException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INSTANCE_STATE_CONFLICT);
                    assertThat(e.getMessage()).contains("registered gateway");
                });

        Instance mine = running(acme);
        Caller globex = caller("Globex");
        assertCode(() -> channels.list(globex, mine.id()), ErrorCode.INSTANCE_NOT_FOUND);
        assertCode(() -> channels.connect(globex, mine.id(), "telegram", Map.of("token", "t")), ErrorCode.INSTANCE_NOT_FOUND);
        assertThat(gateways.configured).isEmpty();

        // A stopped instance keeps what it is given for its next start, and says why it is not connected.
        Instance stopped = mine.stop(NOW);
        store.instances.replaceAll(each -> each.id().equals(stopped.id()) ? stopped : each);
        channels.connect(acme, stopped.id(), "telegram", Map.of("token", "123:abc"));
        assertThat(channels.status(acme, stopped.id(), "telegram")).satisfies(status -> {
            assertThat(status.enabled()).isTrue();
            assertThat(status.connected()).isFalse();
            assertThat(status.details()).containsEntry("gateway", "the instance is stopped");
        });
        assertCode(() -> channels.connect(acme, stopped.id(), "discord", Map.of("token", "t")), ErrorCode.INSTANCE_STATE_CONFLICT);
        assertCode(() -> channels.pair(acme, stopped.id(), "telegram", "ABCD1234"), ErrorCode.INSTANCE_STATE_CONFLICT);
    }

    @Test
    void theCatalogIsTheSameForEveryoneAndAnUnknownChannelIsNotFound() {
        assertThat(channels.catalog("slack").requiredFields()).containsOnlyKeys("bot_token", "app_token");
        assertThat(channels.catalog("nostr").requiredFields()).isEmpty();
        assertCode(() -> channels.catalog("x".repeat(500)), ErrorCode.NOT_FOUND);
    }

    private Caller caller(String name) {
        return authentication.authenticate(organizations.create(name).apiKey().value());
    }

    private Instance running(Caller owner) {
        Instance instance = Instance.provision(owner.organizationId(), "agent", GatewayUrl.of("http://127.0.0.1:40000"), new GatewayToken("t"),
                InstanceSettings.NONE, NOW).observed(Optional.empty(), NOW);
        store.insertWithinLimit(instance, 10);
        return instance;
    }

    private static void assertValidation(Runnable action, String detail) {
        assertThatThrownBy(action::run).isInstanceOfSatisfying(ChowderException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.VALIDATION_FAILED);
            assertThat(e.getMessage()).contains(detail).doesNotContain("secret");
        });
    }

    private static void assertCode(Runnable action, ErrorCode code) {
        assertThatThrownBy(action::run).isInstanceOfSatisfying(ChowderException.class, e -> assertThat(e.code()).isEqualTo(code));
    }
}
