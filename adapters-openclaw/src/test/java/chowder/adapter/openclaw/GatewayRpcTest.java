package chowder.adapter.openclaw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.GatewayToken;
import chowder.domain.GatewayUrl;
import chowder.domain.Instance;
import chowder.domain.InstanceSettings;
import chowder.domain.OrganizationId;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Gateway calls over a real WebSocket on loopback, against a scripted gateway that speaks the handshake (challenge,
 * connect) and answers or ignores each call as a test tells it.
 */
class GatewayRpcTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "gateway-token";

    private final ScriptedRpcGateway gateway = new ScriptedRpcGateway(TOKEN);
    private final GatewayRpc rpc = new GatewayRpc();
    private Server server;
    private Instance instance;

    @BeforeEach
    void start() throws Exception {
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        server.setHandler(WebSocketUpgradeHandler.from(server, container -> container.addMapping("/", (request, response, callback) -> gateway.new Connection())));
        server.start();
        instance = Instance.register(OrganizationId.random(), "test", GatewayUrl.of("http://127.0.0.1:" + connector.getLocalPort()),
                new GatewayToken(TOKEN), InstanceSettings.NONE, Instant.now());
    }

    @AfterEach
    void stop() throws Exception {
        server.stop();
    }

    @Test
    void aReadTheGatewayLeavesUnansweredIsAskedAgainOnAFreshConnectionAndAnswered() {
        gateway.unansweredCalls.set(1);

        JsonNode payload = rpc.read(instance, "skills.status", JSON.createObjectNode(), Duration.ofSeconds(9));

        assertThat(payload.path("answeredCall").asInt()).isEqualTo(2);
        assertThat(gateway.calls).containsExactly("skills.status", "skills.status");
        assertThat(gateway.connections.get()).isEqualTo(2);
    }

    @Test
    void aReadNeverAnsweredFailsOnceItsWholeTimeoutIsSpentAfterTwoAttempts() {
        gateway.unansweredCalls.set(Integer.MAX_VALUE);
        long started = System.nanoTime();

        assertThatThrownBy(() -> rpc.read(instance, "skills.status", JSON.createObjectNode(), Duration.ofSeconds(6)))
                .isInstanceOfSatisfying(ChowderException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.GATEWAY_TIMEOUT))
                .hasMessage("Gateway timeout – skills.status did not answer within 6 s.");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofSeconds(6));
        assertThat(gateway.calls).containsExactly("skills.status", "skills.status");
    }

    @Test
    void aCallThatMayChangeSomethingIsNeverRepeated() {
        gateway.unansweredCalls.set(1);

        // Long enough for the connection and its handshake on a busy machine: the call must have reached the gateway.
        assertThatThrownBy(() -> rpc.answer(instance, "skills.install", JSON.createObjectNode(), Duration.ofSeconds(5)))
                .isInstanceOfSatisfying(ChowderException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.GATEWAY_TIMEOUT))
                .hasMessage("Gateway timeout – skills.install did not answer within 5 s.");
        assertThat(gateway.calls).containsExactly("skills.install");
    }

    @Test
    void aReadTheGatewayRefusesIsNotAskedAgain() {
        gateway.refuse = true;

        assertThatThrownBy(() -> rpc.read(instance, "channels.status", JSON.createObjectNode(), Duration.ofSeconds(9)))
                .isInstanceOfSatisfying(ChowderException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.GATEWAY_FAILED))
                .hasMessage("Gateway error – channels.status failed: unknown channel");
        assertThat(gateway.calls).containsExactly("channels.status");
    }
}
