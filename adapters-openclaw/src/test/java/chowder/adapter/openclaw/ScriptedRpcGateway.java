package chowder.adapter.openclaw;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

/** OpenClaw's handshake, then each call answered with its number, refused, or left unanswered (the connection kept open). */
public final class ScriptedRpcGateway {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String token;
    final AtomicInteger unansweredCalls = new AtomicInteger();
    final AtomicInteger connections = new AtomicInteger();
    final List<String> calls = new CopyOnWriteArrayList<>();
    volatile boolean refuse;

    ScriptedRpcGateway(String token) {
        this.token = token;
    }

    /** Public, as Jetty reaches a listener's methods through a public lookup. */
    public final class Connection implements Session.Listener.AutoDemanding {
        private Session session;

        @Override
        public void onWebSocketOpen(Session session) {
            this.session = session;
            connections.incrementAndGet();
            send(JSON.createObjectNode().put("type", "event").put("event", "connect.challenge")
                    .set("payload", JSON.createObjectNode().put("nonce", "n")));
        }

        @Override
        public void onWebSocketText(String text) {
            JsonNode request = read(text);
            String method = request.path("method").asText();
            ObjectNode answer = JSON.createObjectNode().put("type", "res").put("id", request.path("id").asText());
            if (method.equals("connect")) {
                boolean accepted = token.equals(request.path("params").path("auth").path("token").asText());
                send(answer.put("ok", accepted));
                return;
            }
            calls.add(method);
            if (unansweredCalls.getAndDecrement() > 0) {
                return;
            }
            if (refuse) {
                answer.put("ok", false).putObject("error").put("message", "unknown channel");
            } else {
                answer.put("ok", true).putObject("payload").put("answeredCall", calls.size());
            }
            send(answer);
        }

        private void send(JsonNode message) {
            session.sendText(message.toString(), Callback.NOOP);
        }

        private static JsonNode read(String text) {
            try {
                return JSON.readTree(text);
            } catch (Exception e) {
                throw new IllegalArgumentException(e);
            }
        }
    }
}
