package chowder.e2e;

import static chowder.e2e.TelegramChannelEnvironment.ANSWER_TIMEOUT;
import static chowder.e2e.TelegramChannelEnvironment.BOT_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import chowder.e2e.TelegramChannelEnvironment.Person;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * What becomes of a connected Telegram channel ({@link TelegramChannelEnvironment}): a disconnect stops the bot reading
 * messages and keeps its token, a reconnect needs none; a restarted Chowder brings the channel back; the bot token is
 * in no answer, log or file. Each test pairs a person of its own, with the history its assertions count on.
 */
class ChannelsConnectionLifecycleTest extends ChannelsTestBase {

    @Test
    void aDisconnectStopsTheBotReadingMessagesAndAReconnectNeedsNoToken() {
        Person alice = env.pairedPerson("Alice", 2);

        assertThat(env.api().post(env.channels() + "/telegram/disconnect", env.key(), "").statusCode()).isEqualTo(204);
        // Not at once: the gateway may finish Alice's last reply first, and polls (and would read) until then.
        env.awaitBotStopped();
        JsonNode status = env.telegramStatus();
        assertThat(status.path("enabled").asBoolean()).isFalse();
        assertThat(status.path("connected").asBoolean()).isFalse();

        int sentBefore = env.telegram().messagesTo(alice.id()).size();
        Instant sent = Instant.now();
        env.telegram().receive(alice.id(), alice.name(), "alice while off");
        SupervisedProcess.sleep(Duration.ofSeconds(6));
        // No poll at all, not only no confirmed one: a poll that fetched the message without confirming it leaves it pending.
        assertThat(env.telegram().lastPoll()).as("the bot's last poll").hasValueSatisfying(last -> assertThat(last).isBefore(sent));
        assertThat(env.telegram().pendingUpdates()).as("nobody fetched the message").isEqualTo(1);
        assertThat(env.telegram().messagesTo(alice.id())).hasSize(sentBefore);

        HttpResponse<String> reconnected = env.api().post(env.channels() + "/telegram/connect", env.key(), "{}");
        assertThat(reconnected.statusCode()).as(reconnected.body()).isEqualTo(200);
        String answer = env.telegram().awaitMessageTo(alice.id(), text -> text.contains("alice while off"), ANSWER_TIMEOUT);
        assertThat(ScriptedReply.parse(answer).turns()).isEqualTo(3);
        assertThat(env.awaitStatus(true).path("enabled").asBoolean()).isTrue();
    }

    @Test
    void aRestartedChowderBringsTheChannelBack() {
        Person alice = env.pairedPerson("Alice", 3);

        env.restartChowder();

        ScriptedReply reply = env.askOnTelegram(alice, "alice after restart");
        assertThat(reply.turns()).isEqualTo(4);
        assertThat(env.awaitStatus(true).path("connected").asBoolean()).isTrue();
    }

    @Test
    void theBotTokenIsInNoAnswerLogOrFileOnDisk() throws IOException {
        env.ensureConnected();
        String channels = env.channels();

        for (String path : List.of(channels, channels + "/telegram", channels + "/telegram/status", channels + "/telegram/pairing")) {
            assertThat(env.api().get(path, env.key()).body()).doesNotContain(BOT_TOKEN);
        }
        assertThat(env.chowder().log()).doesNotContain(BOT_TOKEN).doesNotContain(BOT_TOKEN.substring(BOT_TOKEN.indexOf(':') + 1));
        try (Stream<Path> files = Files.walk(env.chowder().dataDirectory())) {
            List<Path> holding = files.filter(Files::isRegularFile).filter(file -> contains(file, BOT_TOKEN)).toList();
            assertThat(holding).as("files in the data directory holding the bot token").isEmpty();
        }
    }

    private static boolean contains(Path file, String secret) {
        try {
            return Files.size(file) < 512L * 1024 * 1024
                    && new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1).contains(secret);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
