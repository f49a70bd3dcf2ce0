package chowder.adapter.openclaw;

import static java.util.Objects.requireNonNull;

import chowder.application.port.out.GatewaySessionsPort;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.Instance;
import chowder.domain.SessionKey;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.StringRequestContent;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;

/**
 * Deletes sessions on a gateway through its {@code POST /tools/invoke} route (measured against OpenClaw
 * 2026.9.6): {@code sessions_list} gives the session's id, then {@code sessions} with action
 * {@code delete} removes it (the gateway keeps a compressed transcript archive on its disk). When the
 * session is not listed, {@code reset} clears its history instead.
 */
final class OpenClawSessionAdmin implements GatewaySessionsPort {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final HttpClient http;

    OpenClawSessionAdmin(HttpClient http) {
        this.http = requireNonNull(http, "http is null");
    }

    @Override
    public void delete(Instance instance, SessionKey key) {
        String fullKey = "agent:main:" + key.value();
        JsonNode listed = invoke(instance, JSON.createObjectNode().put("tool", "sessions_list").set("args", JSON.createObjectNode().put("limit", 1000)));
        String sessionId = null;
        for (JsonNode session : listed.path("result").path("details").path("sessions")) {
            if (fullKey.equals(session.path("key").asText())) {
                sessionId = session.path("sessionId").asText(null);
            }
        }
        ObjectNode args = JSON.createObjectNode().put("sessionKey", fullKey);
        if (sessionId == null) {
            args.put("action", "reset");
        } else {
            args.put("action", "delete").put("expectedSessionId", sessionId);
        }
        invoke(instance, JSON.createObjectNode().put("tool", "sessions").set("args", args));
    }

    private JsonNode invoke(Instance instance, ObjectNode call) {
        try {
            ContentResponse response = http.newRequest(instance.gatewayUrl().value() + "/tools/invoke")
                    .method(HttpMethod.POST)
                    .timeout(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .headers(headers -> headers.put(HttpHeader.AUTHORIZATION, "Bearer " + instance.gatewayToken().value()))
                    .body(new StringRequestContent("application/json", call.toString()))
                    .send();
            if (response.getStatus() != 200) {
                throw new ChowderException(ErrorCode.GATEWAY_FAILED, "Gateway error – /tools/invoke " + call.path("tool").asText()
                        + " answered " + response.getStatus() + ".");
            }
            return JSON.readTree(response.getContentAsString());
        } catch (ChowderException e) {
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ChowderException(ErrorCode.GATEWAY_UNAVAILABLE, "Gateway unavailable – interrupted.");
        } catch (Exception e) {
            throw new ChowderException(ErrorCode.GATEWAY_UNAVAILABLE, "Gateway unavailable – /tools/invoke failed: " + e.getClass().getSimpleName() + ".");
        }
    }
}
