package chowder.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/**
 * The sessions extension through Chowder in front of a real OpenClaw gateway ({@link GatewayPairEnvironment}).
 */
class ChowderWithRealGatewaySessionsTest extends GatewayPairTestBase {
    /**
     * One session of its own through the sessions extension: shown and listed with its turns counted, reset
     * (the next message starts from an empty history, in a new gateway session) and deleted (on the gateway
     * too; the id, used again, starts empty).
     */
    @Test
    void resetAndDeleteOfASessionMakeItsNextMessageStartFromAnEmptyHistory() {
        String sessionId = "sessions-api-lifecycle";
        ScriptedReply first = turn(alphaId, sessionId, "lifecycle one");
        ScriptedReply second = turn(alphaId, sessionId, "lifecycle two");
        assertThat(first.turns()).as(first.toString()).isEqualTo(1);
        assertThat(second.turns()).as(second.toString()).isEqualTo(2);
        assertThat(second.first()).isEqualTo("lifecycle one");

        // Counters are gathered in memory and written in batches, but every read writes them first.
        JsonNode shown = session(sessionId, 200);
        assertThat(shown.path("session_id").asText()).isEqualTo(sessionId);
        assertThat(shown.path("instance_id").asText()).isEqualTo(alphaId);
        assertThat(shown.path("generation").asInt()).isZero();
        assertThat(shown.path("turns").asInt()).as(shown.toString()).isEqualTo(2);
        assertThat(shown.path("input_tokens").asInt()).as(shown.toString()).isPositive();
        JsonNode everySession = sessions("?limit=1000");
        assertThat(everySession.path("sessions").findValuesAsText("session_id")).contains(sessionId);
        JsonNode filtered = sessions("?prefix=" + ChowderApi.encodeSegment(sessionId));
        assertThat(filtered.path("sessions").findValuesAsText("session_id")).containsExactly(sessionId);
        assertThat(filtered.at("/sessions/0/turns").asInt()).as(filtered.toString()).isEqualTo(2);
        assertThat(filtered.path("next_cursor").isNull()).as(filtered.toString()).isTrue();

        HttpResponse<String> reset = api.send("POST", ChowderApi.sessionPath(alphaId, sessionId) + "/reset", organization.apiKey());
        expectStatus(reset, 200, alpha);
        assertThat(ChowderApi.json(reset.body()).path("session_id").asText()).isEqualTo(sessionId);
        assertThat(ChowderApi.json(reset.body()).path("generation").asInt()).as(reset.body()).isEqualTo(1);
        ScriptedReply afterReset = turn(alphaId, sessionId, "lifecycle after reset");
        assertThat(afterReset.turns()).as(afterReset.toString()).isEqualTo(1);
        assertThat(afterReset.first()).isEqualTo("lifecycle after reset");
        assertThat(afterReset.session()).isNotEqualTo(second.session());
        assertThat(session(sessionId, 200).path("turns").asInt()).as("turns are kept across a reset").isEqualTo(3);

        assertThat(alpha.sessionKeys()).contains(afterReset.session());
        HttpResponse<String> deleted = api.send("DELETE", ChowderApi.sessionPath(alphaId, sessionId), organization.apiKey());
        expectStatus(deleted, 204, alpha);
        assertThat(alpha.sessionKeys()).as("deleted on the gateway too").doesNotContain(afterReset.session());
        assertThat(session(sessionId, 404).path("detail").asText()).isEqualTo("Session not found.");
        ScriptedReply afterDelete = turn(alphaId, sessionId, "lifecycle after delete");
        assertThat(afterDelete.turns()).as(afterDelete.toString()).isEqualTo(1);
        assertThat(afterDelete.first()).isEqualTo("lifecycle after delete");
        assertThat(afterDelete.session()).isNotIn(second.session(), afterReset.session());
        JsonNode revived = session(sessionId, 200);
        assertThat(revived.path("generation").asInt()).as(revived.toString()).isEqualTo(2);
        assertThat(revived.path("turns").asInt()).as(revived.toString()).isEqualTo(1);
    }

    /** {@code GET /v1/instances/{alpha}/session/{sessionId}}, expecting {@code status}; the answer's JSON. */
    private static JsonNode session(String sessionId, int status) {
        HttpResponse<String> response = api.get(ChowderApi.sessionPath(alphaId, sessionId), organization.apiKey());
        expectStatus(response, status, alpha);
        return ChowderApi.json(response.body());
    }

    /** {@code GET /v1/instances/{alpha}/sessions} with {@code query}, expecting 200; the page's JSON. */
    private static JsonNode sessions(String query) {
        HttpResponse<String> response = api.get("/v1/instances/" + alphaId + "/sessions" + query, organization.apiKey());
        expectStatus(response, 200, alpha);
        return ChowderApi.json(response.body());
    }
}
