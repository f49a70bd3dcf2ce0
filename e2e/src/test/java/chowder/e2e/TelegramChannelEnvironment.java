package chowder.e2e;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A provisioned instance for the channel tests: a real OpenClaw gateway in its sandbox behind a Chowder process, a
 * scripted model, and a Telegram Bot API on loopback ({@link FakeTelegramBotApi}, reached as the operator allowed it).
 * Each test brings the channel into the state it needs and talks as people of its own, so that no test depends on
 * another having run first.
 */
final class TelegramChannelEnvironment implements AutoCloseable {
    static final String BOT_TOKEN = "7000000001:AA" + UUID.randomUUID().toString().replace("-", "");
    static final Duration START_TIMEOUT = Duration.ofSeconds(240);
    /** A loaded machine may take a while to run a turn or apply a config change. */
    static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(120);
    /**
     * How long a disconnect may take to stop the bot. OpenClaw (2026.9) reloads a channel whose config changed only once
     * the gateway's work in progress is done (a turn still finishing after its reply went out, queued operations, other
     * requests), waiting up to 5 minutes ({@code DEFAULT_RESTART_DEFERRAL_TIMEOUT_MS}) before it reloads anyway; until
     * then the bot polls, and reads, as before. On a loaded machine that can outlast {@link #ANSWER_TIMEOUT}.
     */
    private static final Duration CHANNEL_STOP_TIMEOUT = Duration.ofMinutes(6);
    /** No poll for this long, none in flight: the bot is stopped (a running one asks again as soon as an empty poll ends, within 2 s). */
    private static final Duration NO_POLLING = Duration.ofSeconds(10);
    static final Pattern PAIRING_CODE = Pattern.compile("Pairing code:[^A-Z0-9]*([A-Z0-9]{4,16})");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String REGISTRY = "registry.npmjs.org:443";

    /** The extension that gives a test class the one environment of the run. */
    static final class Shared extends SharedEnvironment<TelegramChannelEnvironment> {
        Shared() {
            super(TelegramChannelEnvironment.class, TelegramChannelEnvironment::start);
        }
    }

    /** Someone who writes to the bot in their private chat with it. */
    record Person(long id, String name) {}

    private final AtomicLong nextPersonId = new AtomicLong(5151);
    private final ScriptedModelServer model;
    private final FakeTelegramBotApi telegram;
    private final Map<String, String> settings;
    private final String acmeKey;
    private final String instance;
    private final List<FakeTelegramBotApi.Call> callsBeforeAnyConnect;
    private ChowderProcess chowder;
    private ChowderApi api;

    private TelegramChannelEnvironment(ScriptedModelServer model, FakeTelegramBotApi telegram, Map<String, String> settings,
            ChowderProcess chowder) {
        this.model = model;
        this.telegram = telegram;
        this.settings = settings;
        this.chowder = chowder;
        this.api = new ChowderApi(chowder.baseUrl());
        this.acmeKey = chowder.createOrganization("Acme").apiKey();
        HttpResponse<String> created = api.post("/v1/instances", acmeKey, "{\"name\": \"telegram-agent\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        this.instance = ChowderApi.json(created.body()).path("id").asText();
        api.awaitRunning(acmeKey, instance, START_TIMEOUT);
        // Before any test connects the channel: what the bot API saw from a running instance with no channel at all.
        this.callsBeforeAnyConnect = telegram.calls();
    }

    static TelegramChannelEnvironment start() {
        OpenClawRuntime.locate();
        ScriptedModelServer model = ScriptedModelServer.start();
        FakeTelegramBotApi telegram = FakeTelegramBotApi.start(BOT_TOKEN);
        ChowderProcess chowder = null;
        try {
            Path providers = Files.createTempFile("model-providers", ".json");
            ObjectNode provider = JSON.createObjectNode().put("base_url", model.baseUrl().toString());
            provider.putArray("models").add("echo-1");
            Files.writeString(providers, JSON.createObjectNode().put("default_provider", "local")
                    .set("providers", JSON.createObjectNode().set("local", provider)).toString(), UTF_8);
            Map<String, String> settings = Map.of(
                    "CHOWDER_PROVISIONER", "local",
                    "CHOWDER_OPENCLAW_INSTALL_DIR", OpenClawRuntime.installRoot().toString(),
                    "CHOWDER_MODEL_PROVIDERS", providers.toString(),
                    "CHOWDER_TELEGRAM_API_ROOT", telegram.root().toString(),
                    "CHOWDER_SANDBOX_EGRESS_ALLOW", "127.0.0.1:" + telegram.port() + "," + REGISTRY + "," + registryAddress()
                            + ",discord.com:443,gateway.discord.gg:443,cdn.discordapp.com:443,media.discordapp.net:443",
                    "CHOWDER_GATEWAY_RESTART_BACKOFF_MAX", "2s");
            // This Chowder lives until the last Channels class ends, beside the Chowders of other test classes:
            // ChowderProcess gives each a sandbox uid range of its own (SandboxUidRanges), and a restart on this data the
            // same one.
            chowder = ChowderProcess.start(settings);
            return new TelegramChannelEnvironment(model, telegram, settings, chowder);
        } catch (IOException e) {
            closeQuietly(chowder, telegram, model);
            throw new UncheckedIOException(e);
        } catch (RuntimeException | Error e) {
            closeQuietly(chowder, telegram, model);
            throw e;
        }
    }

    ScriptedModelServer model() {
        return model;
    }

    FakeTelegramBotApi telegram() {
        return telegram;
    }

    ChowderProcess chowder() {
        return chowder;
    }

    ChowderApi api() {
        return api;
    }

    String key() {
        return acmeKey;
    }

    String instance() {
        return instance;
    }

    String channels() {
        return "/v1/instances/" + instance + "/channels";
    }

    /** The bot API's calls before the first test ran: an instance without a connected channel runs no bot. */
    List<FakeTelegramBotApi.Call> callsBeforeAnyConnect() {
        return callsBeforeAnyConnect;
    }

    /** Stops Chowder and starts it again on the same data directory, as an operator's restart does. */
    void restartChowder() {
        Path data = chowder.dataDirectory();
        chowder.stop();
        chowder = ChowderProcess.start(data, settings);
        api = new ChowderApi(chowder.baseUrl());
        api.awaitRunning(acmeKey, instance, START_TIMEOUT);
    }

    /** Connects Telegram with the bot's token unless it is connected, and waits for the bot to poll. */
    void ensureConnected() {
        if (!telegramStatus().path("connected").asBoolean()) {
            HttpResponse<String> connected = api.post(channels() + "/telegram/connect", acmeKey, "{\"config\": {\"token\": \"" + BOT_TOKEN + "\"}}");
            assertThat(connected.statusCode()).as(connected.body()).isEqualTo(200);
            awaitStatus(true);
        }
        telegram.awaitPolling(ANSWER_TIMEOUT);
    }

    /** Disconnects Telegram if it is connected, and waits until the bot stops polling. */
    void ensureDisconnected() {
        // "enabled" is the stored setting, at once; "connected" is the gateway's view, which lags behind a connect.
        JsonNode status = telegramStatus();
        if (status.path("enabled").asBoolean() || status.path("connected").asBoolean()) {
            assertThat(api.post(channels() + "/telegram/disconnect", acmeKey, "").statusCode()).isEqualTo(204);
            awaitBotStopped();
        }
    }

    /** Waits until the gateway has stopped the bot after a disconnect: it polls no more. */
    void awaitBotStopped() {
        telegram.awaitNoPolling(NO_POLLING, CHANNEL_STOP_TIMEOUT);
    }

    /** A person no test has met before: they have written nothing and are not paired. */
    Person stranger(String name) {
        return new Person(nextPersonId.getAndIncrement(), name);
    }

    /** A new person, paired through the API on a connected channel, who has had {@code turns} turns with the agent. */
    Person pairedPerson(String name, int turns) {
        ensureConnected();
        Person person = stranger(name);
        telegram.receive(person.id(), person.name(), "hi bot");
        String code = code(telegram.awaitMessageTo(person.id(), text -> PAIRING_CODE.matcher(text).find(), ANSWER_TIMEOUT));
        HttpResponse<String> paired = api.post(channels() + "/telegram/pair", acmeKey, "{\"code\": \"" + code + "\"}");
        assertThat(paired.statusCode()).as(paired.body()).isEqualTo(200);
        for (int turn = 1; turn <= turns; turn++) {
            assertThat(askOnTelegram(person, name.toLowerCase() + " earlier " + turn).turns()).isEqualTo(turn);
        }
        return person;
    }

    /** A paired person writes to the bot; returns the agent's answer, which names what the model received. */
    ScriptedReply askOnTelegram(Person person, String text) {
        telegram.receive(person.id(), person.name(), text);
        return ScriptedReply.parse(telegram.awaitMessageTo(person.id(), sent -> sent.contains("last=" + text), ANSWER_TIMEOUT));
    }

    JsonNode telegramStatus() {
        return ChowderApi.json(api.get(channels() + "/telegram/status", acmeKey).body());
    }

    JsonNode awaitStatus(boolean connected) {
        long deadline = System.nanoTime() + ANSWER_TIMEOUT.toNanos();
        JsonNode status;
        do {
            status = telegramStatus();
            if (status.path("connected").asBoolean() == connected) {
                return status;
            }
            SupervisedProcess.sleep(Duration.ofMillis(500));
        } while (System.nanoTime() < deadline);
        throw new AssertionError("telegram not connected=" + connected + " within " + ANSWER_TIMEOUT + ": " + status);
    }

    static String code(String pairingMessage) {
        Matcher matcher = PAIRING_CODE.matcher(pairingMessage);
        assertThat(matcher.find()).as(pairingMessage).isTrue();
        return matcher.group(1);
    }

    @Override
    public void close() {
        closeQuietly(chowder, telegram, model);
    }

    /** The registry's address, as an allowlist rule, when it is not a public one (a mirror on a private network, say). */
    private static String registryAddress() {
        try {
            return InetAddress.getByName("registry.npmjs.org").getHostAddress() + ":443";
        } catch (UnknownHostException e) {
            return REGISTRY;
        }
    }

    private static void closeQuietly(AutoCloseable... resources) {
        Stream.of(resources).filter(Objects::nonNull).forEach(each -> {
            try {
                each.close();
            } catch (Exception e) {
                // closing the rest matters more
            }
        });
    }
}
