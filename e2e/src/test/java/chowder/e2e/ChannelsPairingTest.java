package chowder.e2e;

import static chowder.e2e.TelegramChannelEnvironment.ANSWER_TIMEOUT;
import static chowder.e2e.TelegramChannelEnvironment.BOT_TOKEN;
import static chowder.e2e.TelegramChannelEnvironment.PAIRING_CODE;
import static chowder.e2e.TelegramChannelEnvironment.code;
import static org.assertj.core.api.Assertions.assertThat;

import chowder.e2e.TelegramChannelEnvironment.Person;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Connecting a provisioned instance to Telegram, end to end without the internet ({@link TelegramChannelEnvironment}):
 * a connect starts the bot; a stranger who messages it gets a pairing code and no agent, and once the code is approved
 * through the API their messages reach the agent and its answers come back; two people and an API session are three
 * separate histories.
 */
class ChannelsPairingTest extends ChannelsTestBase {

    @Test
    void connectingWithATokenStartsTheBot() {
        assertThat(env.callsBeforeAnyConnect()).as("no bot before a connect").isEmpty();
        env.ensureDisconnected();
        Instant connecting = Instant.now();

        HttpResponse<String> connected = env.api().post(env.channels() + "/telegram/connect", env.key(),
                "{\"config\": {\"token\": \"" + BOT_TOKEN + "\"}}");

        assertThat(connected.statusCode()).as(connected.body()).isEqualTo(200);
        assertThat(ChowderApi.json(connected.body()).path("status").asText()).isEqualTo("connected");
        env.telegram().awaitPolling(ANSWER_TIMEOUT);
        assertThat(env.telegram().calls("getMe")).filteredOn(call -> call.at().isAfter(connecting)).isNotEmpty();
        JsonNode status = env.awaitStatus(true);
        assertThat(status.path("enabled").asBoolean()).isTrue();
        assertThat(status.path("details").path("running").asBoolean()).isTrue();
        assertThat(ChowderApi.json(env.api().get(env.channels(), env.key()).body()).toString())
                .contains("{\"channel\":\"telegram\",\"connection_type\":\"token\",\"enabled\":true}");
    }

    @Test
    void aStrangerGetsAPairingCodeAndNoAgentUntilTheCodeIsApproved() {
        env.ensureConnected();
        Person alice = env.stranger("Alice");
        int modelCallsBefore = env.model().requestCount();
        env.telegram().receive(alice.id(), alice.name(), "hello, is anyone there?");

        String pairingMessage = env.telegram().awaitMessageTo(alice.id(), text -> PAIRING_CODE.matcher(text).find(), ANSWER_TIMEOUT);
        String code = code(pairingMessage);
        JsonNode waiting = ChowderApi.json(env.api().get(env.channels() + "/telegram/pairing", env.key()).body());
        assertThat(waiting.findValuesAsText("sender_id")).contains(String.valueOf(alice.id()));
        assertThat(env.model().requestCount()).as("the stranger's message reached no agent").isEqualTo(modelCallsBefore);

        HttpResponse<String> paired = env.api().post(env.channels() + "/telegram/pair", env.key(), "{\"code\": \"" + code.toLowerCase() + "\"}");

        assertThat(paired.statusCode()).as(paired.body()).isEqualTo(200);
        JsonNode answer = ChowderApi.json(paired.body());
        assertThat(answer.path("status").asText()).isEqualTo("approved");
        assertThat(answer.path("code").asText()).isEqualTo(code);
        assertThat(ChowderApi.json(env.api().get(env.channels() + "/telegram/pairing", env.key()).body()).findValuesAsText("sender_id"))
                .doesNotContain(String.valueOf(alice.id()));
        HttpResponse<String> again = env.api().post(env.channels() + "/telegram/pair", env.key(), "{\"code\": \"" + code + "\"}");
        assertThat(again.statusCode()).as(again.body()).isEqualTo(404);

        ScriptedReply reply = env.askOnTelegram(alice, "alice one");
        assertThat(reply.turns()).isEqualTo(1);
        assertThat(reply.first()).isEqualTo("alice one");
        assertThat(reply.session()).contains("telegram").contains(String.valueOf(alice.id()));
    }

    @Test
    void twoPeopleAndAnApiSessionAreThreeSeparateHistories() {
        Person alice = env.pairedPerson("Alice", 0);
        assertThat(env.askOnTelegram(alice, "alice one").turns()).isEqualTo(1);
        Person bob = env.stranger("Bob");
        env.telegram().receive(bob.id(), bob.name(), "hi bot");
        String code = code(env.telegram().awaitMessageTo(bob.id(), text -> PAIRING_CODE.matcher(text).find(), ANSWER_TIMEOUT));
        assertThat(env.api().post(env.channels() + "/telegram/pair", env.key(), "{\"code\": \"" + code + "\"}").statusCode()).isEqualTo(200);

        ScriptedReply bobsReply = env.askOnTelegram(bob, "bob one");
        ScriptedReply alicesReply = env.askOnTelegram(alice, "alice two");
        HttpResponse<String> overApi = env.api().post(ChowderApi.sessionResponsesPath(env.instance(), "api-user"), env.key(),
                "{\"model\": \"openclaw\", \"input\": \"api one\"}");

        assertThat(bobsReply.turns()).isEqualTo(1);
        assertThat(bobsReply.first()).isEqualTo("bob one");
        assertThat(alicesReply.turns()).isEqualTo(2);
        assertThat(alicesReply.first()).isEqualTo("alice one");
        assertThat(alicesReply.session()).isNotEqualTo(bobsReply.session());
        assertThat(overApi.statusCode()).as(overApi.body()).isEqualTo(200);
        ScriptedReply api = ScriptedReply.parse(outputText(overApi.body()));
        assertThat(api.turns()).isEqualTo(1);
        assertThat(api.first()).isEqualTo("api one");
        assertThat(Stream.of(alicesReply.session(), bobsReply.session())).doesNotContain(api.session());
        // Neither person's messages were ever in another history.
        for (RecordedModelRequest request : env.model().requests()) {
            List<String> texts = request.conversation().userTexts();
            boolean alices = texts.stream().anyMatch(text -> text.startsWith("alice"));
            boolean bobs = texts.stream().anyMatch(text -> text.startsWith("bob"));
            boolean apis = texts.stream().anyMatch(text -> text.startsWith("api"));
            assertThat((alices ? 1 : 0) + (bobs ? 1 : 0) + (apis ? 1 : 0)).as("histories in one model call: %s", texts).isLessThanOrEqualTo(1);
        }
    }

    private static String outputText(String responseBody) {
        return ChowderApi.json(responseBody).findValuesAsText("text").stream().filter(text -> text.contains("turns=")).findFirst()
                .orElseThrow(() -> new AssertionError("no scripted answer in " + responseBody));
    }
}
