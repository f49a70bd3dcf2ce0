package chowder.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.util.concurrent.AbstractIdleService;
import com.google.common.util.concurrent.Service;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class StartedServicesTest {
    private final List<String> events = new CopyOnWriteArrayList<>();

    @Test
    void stopsInTheReverseOrderOfStarting() throws Exception {
        try (StartedServices started = new StartedServices()) {
            started.startAll(List.of(service("database"), service("gateway-client")));
            started.start(service("http-api"));
        }
        assertThat(events).containsExactly("start database", "start gateway-client", "start http-api",
                "stop http-api", "stop gateway-client", "stop database");
    }

    @Test
    void aFailedStartStopsWhatStartedBeforeAndThrowsItsOwnFailure() {
        StartedServices started = new StartedServices();
        Service failing = new AbstractIdleService() {
            @Override
            protected void startUp() {
                throw new InvalidConfigurationException("CHOWDER_HTTP_PORT=80: the port is already in use");
            }

            @Override
            protected void shutDown() {
                events.add("stop failing");
            }
        };
        assertThatThrownBy(() -> started.startAll(List.of(service("database"), failing, service("never"))))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessage("CHOWDER_HTTP_PORT=80: the port is already in use");
        assertThat(events).containsExactly("start database", "stop database");
    }

    private Service service(String name) {
        return new AbstractIdleService() {
            @Override
            protected void startUp() {
                events.add("start " + name);
            }

            @Override
            protected void shutDown() {
                events.add("stop " + name);
            }
        };
    }
}
