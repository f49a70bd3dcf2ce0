package chowder.e2e;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The base of the {@code Channels*Test} classes: the one {@link TelegramChannelEnvironment} of the run. */
@Timeout(900)
@ExtendWith(TelegramChannelEnvironment.Shared.class)
abstract class ChannelsTestBase {
    static TelegramChannelEnvironment env;

    @BeforeAll
    static void useTheSharedInstance(TelegramChannelEnvironment environment) {
        env = environment;
    }
}
