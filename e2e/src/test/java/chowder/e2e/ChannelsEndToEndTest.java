package chowder.e2e;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * A provisioned instance connected to Telegram, end to end without the internet: a real OpenClaw gateway in its sandbox
 * talks to a Telegram Bot API on loopback ({@link FakeTelegramBotApi}, reached as the operator allowed it). A stranger
 * who messages the bot gets a pairing code and no agent; once the code is approved through the API their messages reach
 * the agent and its answers come back; two people and an API session are three separate histories; a disconnect stops
 * the bot reading messages and keeps its token, a reconnect needs none; a restarted Chowder brings the channel back. A
 * channel OpenClaw does not bundle (Discord) gets its official plugin from the npm registry, installed by OpenClaw in
 * the instance's sandbox, and runs; one whose service the operator did not allow is refused before anything happens.
 */
@Timeout(900)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChannelsEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration START_TIMEOUT = Duration.ofSeconds(240);
    /** A loaded machine may take a while to run a turn or apply a config change. */
    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(120);
    private static final Pattern PAIRING_CODE = Pattern.compile("Pairing code:[^A-Z0-9]*([A-Z0-9]{4,16})");
    private static final String BOT_TOKEN = "7000000001:AA" + UUID.randomUUID().toString().replace("-", "");
    private static final String REGISTRY = "registry.npmjs.org:443";
    private static final long ALICE = 5151;
    private static final long BOB = 6262;

    private static ScriptedModelServer model;
    private static FakeTelegramBotApi telegram;
    private static Map<String, String> settings;
    private static ChowderProcess chowder;
    private static ChowderApi api;
    private static String acmeKey;
    private static String instance;

    @BeforeAll
    static void startAProvisionedInstanceAndABotApi() throws Exception {
        OpenClawRuntime.locate();
        model = ScriptedModelServer.start();
        telegram = FakeTelegramBotApi.start(BOT_TOKEN);
        Path providers = Files.createTempFile("model-providers", ".json");
        ObjectNode provider = JSON.createObjectNode().put("base_url", model.baseUrl().toString());
        provider.putArray("models").add("echo-1");
        Files.writeString(providers, JSON.createObjectNode().put("default_provider", "local")
                .set("providers", JSON.createObjectNode().set("local", provider)).toString(), UTF_8);
        settings = Map.of(
                "CHOWDER_PROVISIONER", "local",
                "CHOWDER_OPENCLAW_INSTALL_DIR", OpenClawRuntime.installRoot().toString(),
                "CHOWDER_MODEL_PROVIDERS", providers.toString(),
                "CHOWDER_TELEGRAM_API_ROOT", telegram.root().toString(),
                "CHOWDER_SANDBOX_EGRESS_ALLOW", "127.0.0.1:" + telegram.port() + "," + REGISTRY + "," + registryAddress()
                        + ",discord.com:443,gateway.discord.gg:443,cdn.discordapp.com:443,media.discordapp.net:443",
                "CHOWDER_GATEWAY_RESTART_BACKOFF_MAX", "2s");
        chowder = ChowderProcess.start(settings);
        api = new ChowderApi(chowder.baseUrl());
        acmeKey = chowder.createOrganization("Acme").apiKey();
        HttpResponse<String> created = api.post("/v1/instances", acmeKey, "{\"name\": \"telegram-agent\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        instance = ChowderApi.json(created.body()).path("id").asText();
        api.awaitRunning(acmeKey, instance, START_TIMEOUT);
    }

    @AfterAll
    static void stopAll() {
        Stream.of(chowder, telegram, model).filter(java.util.Objects::nonNull).forEach(each -> {
            try {
                each.close();
            } catch (Exception e) {
                // closing the rest matters more
            }
        });
    }

    @Test
    @Order(1)
    void connectingWithATokenStartsTheBot() {
        assertThat(telegram.calls()).as("no bot before a connect").isEmpty();

        HttpResponse<String> connected = api.post(channels() + "/telegram/connect", acmeKey, "{\"config\": {\"token\": \"" + BOT_TOKEN + "\"}}");

        assertThat(connected.statusCode()).as(connected.body()).isEqualTo(200);
        assertThat(ChowderApi.json(connected.body()).path("status").asText()).isEqualTo("connected");
        telegram.awaitPolling(ANSWER_TIMEOUT);
        assertThat(telegram.calls("getMe")).isNotEmpty();
        JsonNode status = awaitStatus(true);
        assertThat(status.path("enabled").asBoolean()).isTrue();
        assertThat(status.path("details").path("running").asBoolean()).isTrue();
        assertThat(ChowderApi.json(api.get(channels(), acmeKey).body()).toString())
                .contains("{\"channel\":\"telegram\",\"connection_type\":\"token\",\"enabled\":true}");
    }

    @Test
    @Order(2)
    void aStrangerGetsAPairingCodeAndNoAgentUntilTheCodeIsApproved() {
        int modelCallsBefore = model.requestCount();
        telegram.receive(ALICE, "Alice", "hello, is anyone there?");

        String pairingMessage = telegram.awaitMessageTo(ALICE, text -> PAIRING_CODE.matcher(text).find(), ANSWER_TIMEOUT);
        String code = code(pairingMessage);
        JsonNode waiting = ChowderApi.json(api.get(channels() + "/telegram/pairing", acmeKey).body());
        assertThat(waiting.findValuesAsText("sender_id")).contains(String.valueOf(ALICE));
        assertThat(model.requestCount()).as("the stranger's message reached no agent").isEqualTo(modelCallsBefore);

        HttpResponse<String> paired = api.post(channels() + "/telegram/pair", acmeKey, "{\"code\": \"" + code.toLowerCase() + "\"}");

        assertThat(paired.statusCode()).as(paired.body()).isEqualTo(200);
        JsonNode answer = ChowderApi.json(paired.body());
        assertThat(answer.path("status").asText()).isEqualTo("approved");
        assertThat(answer.path("code").asText()).isEqualTo(code);
        assertThat(ChowderApi.json(api.get(channels() + "/telegram/pairing", acmeKey).body()).findValuesAsText("sender_id"))
                .doesNotContain(String.valueOf(ALICE));
        HttpResponse<String> again = api.post(channels() + "/telegram/pair", acmeKey, "{\"code\": \"" + code + "\"}");
        assertThat(again.statusCode()).as(again.body()).isEqualTo(404);

        ScriptedReply reply = askOnTelegram(ALICE, "alice one");
        assertThat(reply.turns()).isEqualTo(1);
        assertThat(reply.first()).isEqualTo("alice one");
        assertThat(reply.session()).contains("telegram").contains(String.valueOf(ALICE));
    }

    @Test
    @Order(3)
    void twoPeopleAndAnApiSessionAreThreeSeparateHistories() {
        telegram.receive(BOB, "Bob", "hi bot");
        String code = code(telegram.awaitMessageTo(BOB, text -> PAIRING_CODE.matcher(text).find(), ANSWER_TIMEOUT));
        assertThat(api.post(channels() + "/telegram/pair", acmeKey, "{\"code\": \"" + code + "\"}").statusCode()).isEqualTo(200);

        ScriptedReply bob = askOnTelegram(BOB, "bob one");
        ScriptedReply alice = askOnTelegram(ALICE, "alice two");
        HttpResponse<String> overApi = api.post(ChowderApi.sessionResponsesPath(instance, "api-user"), acmeKey,
                "{\"model\": \"openclaw\", \"input\": \"api one\"}");

        assertThat(bob.turns()).isEqualTo(1);
        assertThat(bob.first()).isEqualTo("bob one");
        assertThat(alice.turns()).isEqualTo(2);
        assertThat(alice.first()).isEqualTo("alice one");
        assertThat(alice.session()).isNotEqualTo(bob.session());
        assertThat(overApi.statusCode()).as(overApi.body()).isEqualTo(200);
        ScriptedReply api = ScriptedReply.parse(outputText(overApi.body()));
        assertThat(api.turns()).isEqualTo(1);
        assertThat(api.first()).isEqualTo("api one");
        assertThat(Stream.of(alice.session(), bob.session())).doesNotContain(api.session());
        // Neither person's messages were ever in another history.
        for (RecordedModelRequest request : model.requests()) {
            List<String> texts = request.conversation().userTexts();
            boolean alices = texts.stream().anyMatch(text -> text.startsWith("alice"));
            boolean bobs = texts.stream().anyMatch(text -> text.startsWith("bob"));
            boolean apis = texts.stream().anyMatch(text -> text.startsWith("api"));
            assertThat((alices ? 1 : 0) + (bobs ? 1 : 0) + (apis ? 1 : 0)).as("histories in one model call: %s", texts).isLessThanOrEqualTo(1);
        }
    }

    @Test
    @Order(4)
    void aDisconnectStopsTheBotReadingMessagesAndAReconnectNeedsNoToken() {
        assertThat(api.post(channels() + "/telegram/disconnect", acmeKey, "").statusCode()).isEqualTo(204);
        telegram.awaitNoPolling(Duration.ofSeconds(5), ANSWER_TIMEOUT);
        JsonNode status = ChowderApi.json(api.get(channels() + "/telegram/status", acmeKey).body());
        assertThat(status.path("enabled").asBoolean()).isFalse();
        assertThat(status.path("connected").asBoolean()).isFalse();

        int sentBefore = telegram.messagesTo(ALICE).size();
        telegram.receive(ALICE, "Alice", "alice while off");
        SupervisedProcess.sleep(Duration.ofSeconds(6));
        assertThat(telegram.pendingUpdates()).as("nobody fetched the message").isEqualTo(1);
        assertThat(telegram.messagesTo(ALICE)).hasSize(sentBefore);

        HttpResponse<String> reconnected = api.post(channels() + "/telegram/connect", acmeKey, "{}");
        assertThat(reconnected.statusCode()).as(reconnected.body()).isEqualTo(200);
        String answer = telegram.awaitMessageTo(ALICE, text -> text.contains("alice while off"), ANSWER_TIMEOUT);
        assertThat(ScriptedReply.parse(answer).turns()).isEqualTo(3);
        assertThat(awaitStatus(true).path("enabled").asBoolean()).isTrue();
    }

    @Test
    @Order(5)
    void aRestartedChowderBringsTheChannelBack() {
        Path data = chowder.dataDirectory();
        chowder.stop();
        chowder = ChowderProcess.start(data, settings);
        api = new ChowderApi(chowder.baseUrl());
        api.awaitRunning(acmeKey, instance, START_TIMEOUT);

        ScriptedReply reply = askOnTelegram(ALICE, "alice after restart");

        assertThat(reply.turns()).isEqualTo(4);
        assertThat(awaitStatus(true).path("connected").asBoolean()).isTrue();
    }

    @Test
    @Order(8)
    void theBotTokenIsInNoAnswerLogOrFileOnDisk() throws IOException {
        for (String path : List.of(channels(), channels() + "/telegram", channels() + "/telegram/status", channels() + "/telegram/pairing")) {
            assertThat(api.get(path, acmeKey).body()).doesNotContain(BOT_TOKEN);
        }
        assertThat(chowder.log()).doesNotContain(BOT_TOKEN).doesNotContain(BOT_TOKEN.substring(BOT_TOKEN.indexOf(':') + 1));
        try (Stream<Path> files = Files.walk(chowder.dataDirectory())) {
            List<Path> holding = files.filter(Files::isRegularFile).filter(file -> contains(file, BOT_TOKEN)).toList();
            assertThat(holding).as("files in the data directory holding the bot token").isEmpty();
        }
    }

    @Test
    @Order(7)
    void aPluginChannelGetsItsOfficialPluginFromNpmInTheSandboxAndRunsBesideTelegram() {
        HttpResponse<String> notAllowed = api.post(channels() + "/mattermost/connect", acmeKey,
                "{\"config\": {\"bot_token\": \"mm-token\", \"base_url\": \"https://chat.example.org\"}}");
        assertThat(notAllowed.statusCode()).as(notAllowed.body()).isEqualTo(409);
        assertThat(ChowderApi.json(notAllowed.body()).path("detail").asText()).contains("chat.example.org:443", "CHOWDER_SANDBOX_EGRESS_ALLOW");

        // A first connect restarts the gateway, which installs the plugin before it starts: minutes on a busy machine.
        HttpResponse<String> connected = api.post(channels() + "/discord/connect", acmeKey, "{\"config\": {\"token\": \"MTAx.not-a.real-token\"}}",
                Duration.ofMinutes(8));

        assertThat(connected.statusCode()).as(connected.body()).isEqualTo(200);
        assertThat(ChowderApi.json(connected.body()).path("status").asText()).isEqualTo("connected");
        // The plugin runs: the gateway reports the channel configured and running (it cannot reach Discord from here).
        JsonNode status = ChowderApi.json(api.get(channels() + "/discord/status", acmeKey).body());
        assertThat(status.path("enabled").asBoolean()).as(status.toString()).isTrue();
        assertThat(status.path("details").path("configured").asBoolean()).as(status.toString()).isTrue();
        assertThat(status.path("details").path("running").asBoolean()).as(status.toString()).isTrue();
        assertThat(chowder.log()).contains("Installed the discord plugin (@openclaw/discord@");
        // Telegram still answers after the gateway's restart for the install.
        assertThat(askOnTelegram(ALICE, "alice after discord").turns()).isEqualTo(5);
        // Installed once: a reconnect does not restart the gateway.
        assertThat(api.post(channels() + "/discord/disconnect", acmeKey, "").statusCode()).isEqualTo(204);
        int launches = occurrences(chowder.log(), "is ready on port");
        assertThat(api.post(channels() + "/discord/connect", acmeKey, "{}").statusCode()).isEqualTo(200);
        assertThat(occurrences(chowder.log(), "is ready on port")).isEqualTo(launches);
        assertThat(occurrences(chowder.log(), "Installed the discord plugin")).isEqualTo(1);
    }

    private static int occurrences(String text, String part) {
        return text.split(java.util.regex.Pattern.quote(part), -1).length - 1;
    }

    /** The registry's address, as an allowlist rule, when it is not a public one (a mirror on a private network, say). */
    private static String registryAddress() {
        try {
            java.net.InetAddress address = java.net.InetAddress.getByName("registry.npmjs.org");
            return address.getHostAddress() + ":443";
        } catch (java.net.UnknownHostException e) {
            return REGISTRY;
        }
    }

    /** A paired person writes to the bot; returns the agent's answer, which names what the model received. */
    private static ScriptedReply askOnTelegram(long person, String text) {
        telegram.receive(person, person == ALICE ? "Alice" : "Bob", text);
        return ScriptedReply.parse(telegram.awaitMessageTo(person, sent -> sent.contains("last=" + text), ANSWER_TIMEOUT));
    }

    private static JsonNode awaitStatus(boolean connected) {
        long deadline = System.nanoTime() + ANSWER_TIMEOUT.toNanos();
        JsonNode status;
        do {
            status = ChowderApi.json(api.get(channels() + "/telegram/status", acmeKey).body());
            if (status.path("connected").asBoolean() == connected) {
                return status;
            }
            SupervisedProcess.sleep(Duration.ofMillis(500));
        } while (System.nanoTime() < deadline);
        throw new AssertionError("telegram not connected=" + connected + " within " + ANSWER_TIMEOUT + ": " + status);
    }

    private static String code(String pairingMessage) {
        Matcher matcher = PAIRING_CODE.matcher(pairingMessage);
        assertThat(matcher.find()).as(pairingMessage).isTrue();
        return matcher.group(1);
    }

    private static String outputText(String responseBody) {
        return ChowderApi.json(responseBody).findValuesAsText("text").stream().filter(text -> text.contains("turns=")).findFirst()
                .orElseThrow(() -> new AssertionError("no scripted answer in " + responseBody));
    }

    private static String channels() {
        return "/v1/instances/" + instance + "/channels";
    }

    private static boolean contains(Path file, String secret) {
        try {
            return Files.size(file) < 512L * 1024 * 1024 && new String(Files.readAllBytes(file), java.nio.charset.StandardCharsets.ISO_8859_1).contains(secret);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

}
