package chowder.application.service;

import static chowder.application.service.ServiceHarness.assertCode;
import static chowder.application.service.ServiceHarness.request;
import static org.assertj.core.api.Assertions.assertThat;

import chowder.application.port.in.RegisterInstanceCommand;
import chowder.application.port.in.SendResponseCommand;
import chowder.domain.Caller;
import chowder.domain.ErrorCode;
import chowder.domain.Instance;
import chowder.domain.InstanceId;
import chowder.domain.SessionId;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Turns are forwarded to the encoded session of a running instance of the caller's organization, whole or streamed. */
class ResponseServiceTest {
    private final ServiceHarness h = new ServiceHarness();

    @Test
    void forwardsToTheEncodedSessionOfARunningInstance() {
        Caller acme = h.caller("Acme");
        Instance instance = h.instances.register(RegisterInstanceCommand.of(acme, "bot", "http://127.0.0.1:1", "token-1"));

        h.responses.send(new SendResponseCommand(acme, instance.id(), SessionId.of("User-42"), request(false)));
        h.responses.send(new SendResponseCommand(acme, instance.id(), SessionId.MAIN, request(false)));

        assertThat(h.gateway.calls).extracting(call -> call.sessionKey().value())
                .containsExactly("chowder-0-_55ser-42", "chowder-0-main");
        assertThat(h.gateway.calls.getFirst().instance().gatewayToken().value()).isEqualTo("token-1");
    }

    @Test
    void anotherOrganizationsInstanceIsNotFound() {
        Caller acme = h.caller("Acme");
        Caller globex = h.caller("Globex");
        Instance instance = h.instances.register(RegisterInstanceCommand.of(acme, "bot", "http://127.0.0.1:1", "t"));

        assertCode(() -> h.instances.get(globex, instance.id()), ErrorCode.INSTANCE_NOT_FOUND);
        assertCode(() -> h.responses.send(new SendResponseCommand(globex, instance.id(), SessionId.MAIN, request(false))),
                ErrorCode.INSTANCE_NOT_FOUND);
        assertCode(() -> h.instances.get(acme, InstanceId.random()), ErrorCode.INSTANCE_NOT_FOUND);
        assertThat(h.instances.list(globex)).isEmpty();
        assertThat(h.instances.list(acme)).extracting(Instance::id).containsExactly(instance.id());
        assertThat(h.gateway.calls).isEmpty();
    }

    @Test
    void anInstanceThatIsNotRunningRefusesTraffic() {
        Caller acme = h.caller("Acme");
        Instance running = h.instances.register(RegisterInstanceCommand.of(acme, "bot", "http://127.0.0.1:1", "t"));
        h.instances.stop(acme, running.id());

        assertCode(() -> h.responses.send(new SendResponseCommand(acme, running.id(), SessionId.MAIN, request(false))),
                ErrorCode.INSTANCE_NOT_RUNNING);
        assertThat(h.gateway.calls).isEmpty();
    }

    @Test
    void streamingRequestsOpenAStreamInTheSameEncodedSession() {
        Caller acme = h.caller("Acme");
        Instance instance = h.instances.register(RegisterInstanceCommand.of(acme, "bot", "http://127.0.0.1:1", "t"));
        try (var stream = h.responses.stream(new SendResponseCommand(acme, instance.id(), SessionId.of("User-42"), request(true)))) {
            assertThat(new String(stream.nextEvent(), StandardCharsets.UTF_8)).startsWith("event: response.created");
        }
        assertThat(h.gateway.calls).singleElement().satisfies(call -> assertThat(call.sessionKey().value()).isEqualTo("chowder-0-_55ser-42"));
        Caller globex = h.caller("Globex");
        assertCode(() -> h.responses.stream(new SendResponseCommand(globex, instance.id(), SessionId.MAIN, request(true))),
                ErrorCode.INSTANCE_NOT_FOUND);
    }
}
