package chowder.application.port.out.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chowder.application.port.out.ChannelSettingsPort;
import chowder.domain.Channel;
import chowder.domain.ChannelSettings;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.Instance;
import chowder.domain.InstanceId;
import chowder.domain.Organization;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The contract of the channel settings store: kept per instance and channel, in the channels' order, gone with the instance. */
public abstract class ChannelSettingsStoreContract extends StoreContract {
    @Test
    void channelSettingsAreKeptPerInstanceAndChannel() {
        Organization acme = organization("Acme");
        Instance bot = stored(acme, "bot", "t");
        Instance other = stored(acme, "other", "t");
        ChannelSettingsPort channels = port(ChannelSettingsPort.class);
        ChannelSettings telegram = new ChannelSettings(true, Map.of("token", "123456:telegram-secret"));
        ChannelSettings slack = new ChannelSettings(true, Map.of("bot_token", "xoxb-slack-secret", "app_token", "xapp-slack-secret"));
        channels.save(bot.id(), Channel.TELEGRAM, telegram);
        channels.save(bot.id(), Channel.SLACK, slack);
        channels.save(other.id(), Channel.TELEGRAM, new ChannelSettings(true, Map.of("token", "other-secret")));
        channels.save(bot.id(), Channel.SLACK, slack.disabled());

        assertThat(channels.listByInstance(bot.id())).containsExactly(Map.entry(Channel.TELEGRAM, telegram), Map.entry(Channel.SLACK, slack.disabled()));
        assertThat(channels.listByInstance(other.id()).get(Channel.TELEGRAM).fields()).containsEntry("token", "other-secret");
        assertThat(channels.listByInstance(InstanceId.random())).isEmpty();
        assertThatThrownBy(() -> channels.save(InstanceId.random(), Channel.TELEGRAM, telegram))
                .isInstanceOfSatisfying(ChowderException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INSTANCE_NOT_FOUND));

        channels.deleteAll(bot.id());
        assertThat(channels.listByInstance(bot.id())).isEmpty();
        assertThat(channels.listByInstance(other.id())).containsOnlyKeys(Channel.TELEGRAM);
    }
}
