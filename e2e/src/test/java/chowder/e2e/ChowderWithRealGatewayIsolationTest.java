package chowder.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.text.Normalizer;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

/**
 * Sessions stay apart through Chowder in front of real OpenClaw gateways ({@link GatewayPairEnvironment}): ids the
 * gateway would merge, one id on two instances, and the key of an organization that owns neither instance.
 */
class ChowderWithRealGatewayIsolationTest extends GatewayPairTestBase {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Each id differs from another only in a way the gateway normalises away (case, surrounding space,
     * a full-key or reserved form, non-ASCII bytes read as Latin-1) or carries a character that needs
     * escaping. Forwarded verbatim, several would share one gateway session or be refused. {@code main} is
     * the default endpoint's session by design, so no other test talks to alpha's default session.
     */
    @Test
    void sessionIdsThatTheGatewayWouldMergeStartEmptyAndKeepTheirOwnHistory() {
        List<String> ids = List.of(
                "user-42",
                "User-42",
                " user-42",
                "agent:main:user-42",
                "global",
                "subagent:x",
                "cron:x",
                "main",
                "MAIN",
                longestId(),
                Normalizer.normalize("café", Normalizer.Form.NFC),
                Normalizer.normalize("café", Normalizer.Form.NFD),
                "user/42");
        assertThat(new HashSet<>(ids)).hasSameSizeAs(ids);
        assertThat(longestId().codePointCount(0, longestId().length())).isEqualTo(256);

        // Soft: a broken encoding shows every id it merges or gets refused, not only the first.
        SoftAssertions softly = new SoftAssertions();
        // All first turns before any second turn: two ids sharing a session would show turns=2 at once.
        Map<String, ScriptedReply> firstTurns = new LinkedHashMap<>();
        for (int i = 0; i < ids.size(); i++) {
            softTurn(softly, ids.get(i), "first of id " + i).ifPresent(reply -> firstTurns.put(reply.last(), reply));
        }
        Map<String, ScriptedReply> secondTurns = new LinkedHashMap<>();
        for (int i = 0; i < ids.size(); i++) {
            softTurn(softly, ids.get(i), "second of id " + i).ifPresent(reply -> secondTurns.put(reply.last(), reply));
        }

        for (int i = 0; i < ids.size(); i++) {
            String described = "session id '" + ids.get(i) + "'";
            ScriptedReply first = firstTurns.get("first of id " + i);
            ScriptedReply second = secondTurns.get("second of id " + i);
            if (first != null) {
                softly.assertThat(first.turns()).as("%s, first turn: %s", described, first).isEqualTo(1);
                softly.assertThat(first.first()).as("%s, first turn", described).isEqualTo("first of id " + i);
                softly.assertThat(first.session()).as("%s, gateway session", described).startsWith("agent:main:");
            }
            if (second != null) {
                softly.assertThat(second.turns()).as("%s, second turn: %s", described, second).isEqualTo(2);
                softly.assertThat(second.first()).as("%s, second turn", described).isEqualTo("first of id " + i);
            }
            if (first != null && second != null) {
                softly.assertThat(second.session()).as("%s, gateway session", described).isEqualTo(first.session());
            }
        }
        Set<String> gatewaySessions = new HashSet<>();
        firstTurns.values().forEach(reply -> gatewaySessions.add(reply.session()));
        softly.assertThat(gatewaySessions).as("distinct gateway sessions of %s", firstTurns.values()).hasSameSizeAs(ids);
        softly.assertAll();
    }

    @Test
    void sameSessionIdOnTwoInstancesStaysApart() {
        ScriptedReply onAlpha = turn(alphaId, "twin", "twin on alpha");
        ScriptedReply onBeta = turn(betaId, "twin", "twin on beta");
        ScriptedReply onAlphaAgain = turn(alphaId, "twin", "twin on alpha again");
        ScriptedReply onBetaAgain = turn(betaId, "twin", "twin on beta again");

        assertThat(onAlpha.turns()).as(onAlpha.toString()).isEqualTo(1);
        assertThat(onBeta.turns()).as(onBeta.toString()).isEqualTo(1);
        assertThat(onAlphaAgain.turns()).as(onAlphaAgain.toString()).isEqualTo(2);
        assertThat(onAlphaAgain.first()).isEqualTo("twin on alpha");
        assertThat(onBetaAgain.turns()).as(onBetaAgain.toString()).isEqualTo(2);
        assertThat(onBetaAgain.first()).isEqualTo("twin on beta");
    }

    @Test
    void keyOfAnotherOrganizationFindsNoInstance() {
        int modelRequestsBefore = model.requestCount();
        String body = requestBody("from another organization").toString();

        List<HttpResponse<String>> answers = List.of(
                api.get("/v1/instances/" + alphaId, otherOrganization.apiKey()),
                api.post(ChowderApi.responsesPath(alphaId), otherOrganization.apiKey(), body),
                api.post(ChowderApi.sessionResponsesPath(alphaId, "user-42"), otherOrganization.apiKey(), body));

        for (HttpResponse<String> answer : answers) {
            expectStatus(answer, 404, alpha);
            assertThat(ChowderApi.json(answer.body())).isEqualTo(JSON.createObjectNode().put("detail", "Instance not found."));
        }
        HttpResponse<String> ownList = api.get("/v1/instances", otherOrganization.apiKey());
        expectStatus(ownList, 200, alpha);
        assertThat(ChowderApi.json(ownList.body())).isEmpty();
        assertThat(model.requestCount()).isEqualTo(modelRequestsBefore);
    }

    /** 256 code points, a quarter of them astral (4 UTF-8 bytes), upper-case letters and punctuation. */
    private static String longestId() {
        StringBuilder id = new StringBuilder();
        String pattern = "Ab:\uD83D\uDE00";
        while (id.codePointCount(0, id.length()) < 256) {
            id.appendCodePoint(pattern.codePointAt(pattern.offsetByCodePoints(0, id.codePointCount(0, id.length()) % 4)));
        }
        return id.toString();
    }

    /** A turn on {@code alpha} whose failure is recorded in {@code softly} instead of thrown. */
    private static Optional<ScriptedReply> softTurn(SoftAssertions softly, String sessionId, String input) {
        HttpResponse<String> response = api.post(ChowderApi.sessionResponsesPath(alphaId, sessionId),
                organization.apiKey(), requestBody(input).toString());
        softly.assertThat(response.statusCode()).as("session id '%s', turn '%s': %s", sessionId, input, response.body())
                .isEqualTo(200);
        return response.statusCode() == 200 ? Optional.of(replyOf(ChowderApi.json(response.body()))) : Optional.empty();
    }
}
