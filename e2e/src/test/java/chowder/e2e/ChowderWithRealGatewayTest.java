package chowder.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import chowder.e2e.ChowderApi.StreamedAnswer;
import chowder.e2e.ChowderApi.TimedLine;
import chowder.e2e.ChowderProcess.Organization;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpResponse;
import java.text.Normalizer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Chowder as a real process in front of real OpenClaw gateways, called through its HTTP API with an
 * organization key, by plain HTTP and by the official OpenAI SDK. One scripted model, two gateways and one
 * Chowder serve the whole class (starting a gateway costs 15-45 s of CPU): gateway {@code alpha} alone holds
 * the session ids that the gateway's own normalisation would merge, {@code beta} the default session and the
 * hosted examples. Every other test uses session ids of its own, so results do not depend on the order of
 * the tests, with one exception: the last test stops {@code beta} to see Chowder's answer for a gateway that
 * is gone.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(300)
class ChowderWithRealGatewayTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CLIENT_MODEL = "claude-sonnet-4-20250514";
    /** The backend model id the gateway's provider sends to the scripted model. */
    private static final String GATEWAY_BACKEND_MODEL = OpenClawGateway.MODEL.substring(OpenClawGateway.MODEL.indexOf('/') + 1);
    private static final Duration MODEL_REQUEST_WAIT = Duration.ofSeconds(10);

    private final List<AutoCloseable> resources = new ArrayList<>();
    private ScriptedModelServer model;
    private OpenClawGateway alpha;
    private OpenClawGateway beta;
    private ChowderProcess chowder;
    private ChowderApi api;
    private OpenAiSdk sdk;
    private Organization organization;
    private Organization otherOrganization;
    private String alphaId;
    private String betaId;

    /** Long enough for a first install of OpenClaw and the SDK (one to three minutes) on a slow network. */
    @BeforeAll
    @Timeout(value = 20, unit = TimeUnit.MINUTES)
    void startModelGatewaysAndChowder() {
        long started = System.nanoTime();
        model = track(ScriptedModelServer.start());
        // Everything slow starts at once: gateways take 10-25 s each to become ready.
        CompletableFuture<OpenClawGateway> alphaStart;
        CompletableFuture<OpenClawGateway> betaStart;
        CompletableFuture<ChowderProcess> chowderStart;
        CompletableFuture<OpenAiSdk> sdkStart;
        try (ExecutorService starter = Executors.newVirtualThreadPerTaskExecutor()) {
            alphaStart = async(starter, () -> OpenClawGateway.start(model));
            betaStart = async(starter, () -> OpenClawGateway.start(model));
            chowderStart = async(starter, ChowderProcess::start);
            sdkStart = async(starter, OpenAiSdk::locate);
        }
        // Closing the executor waited for all starts; whatever started is tracked before any failure is thrown.
        List<Throwable> failures = new ArrayList<>();
        alpha = started(alphaStart, failures);
        beta = started(betaStart, failures);
        chowder = started(chowderStart, failures);
        sdk = sdkStart.exceptionally(failure -> {
            failures.add(failure);
            return null;
        }).join();
        if (!failures.isEmpty()) {
            AssertionError failure = new AssertionError("the end-to-end environment did not start", unwrap(failures.getFirst()));
            failures.subList(1, failures.size()).forEach(other -> failure.addSuppressed(unwrap(other)));
            throw failure;
        }
        api = new ChowderApi(chowder.baseUrl());
        organization = chowder.createOrganization("E2E Org");
        otherOrganization = chowder.createOrganization("Other Org");
        alphaId = api.registerInstance(organization.apiKey(), "alpha", alpha.baseUrl(), alpha.token());
        betaId = api.registerInstance(organization.apiKey(), "beta", beta.baseUrl(), beta.token());
        for (String id : List.of(alphaId, betaId)) {
            api.awaitRunning(organization.apiKey(), id, Duration.ofSeconds(60));
        }

        // The first agent turn after a gateway starts takes 9-17 s; later ones well under a second.
        try (ExecutorService warmer = Executors.newVirtualThreadPerTaskExecutor()) {
            List<CompletableFuture<ScriptedReply>> warmUps = List.of(alphaId, betaId).stream()
                    .map(id -> async(warmer, () -> turn(id, "warm-up", "warm up")))
                    .toList();
            warmUps.forEach(ChowderWithRealGatewayTest::join);
        }
        System.out.printf("environment ready in %s (gateways ready after %s and %s)%n",
                Duration.ofNanos(System.nanoTime() - started), alpha.startupTime(), beta.startupTime());
    }

    @AfterAll
    @Timeout(120)
    void stopEverything() throws Exception {
        // Reverse order: Chowder before the gateways, the model last.
        Exception failure = null;
        for (AutoCloseable resource : resources.reversed()) {
            try {
                resource.close();
            } catch (Exception e) {
                failure = e;
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    // --- The hosted API's two example requests -------------------------------------------------------

    @Test
    void answersTheHostedApisTwoExampleRequestsWithOpenResponsesObjects() {
        String body = "{\"model\": \"claude-sonnet-4-20250514\", \"input\": \"Hey, remember me?\"}";

        HttpResponse<String> defaultSession = api.post(ChowderApi.responsesPath(betaId), organization.apiKey(), body);
        HttpResponse<String> namedSession = api.post(
                "/v1/instances/" + betaId + "/session/user-42/responses", organization.apiKey(), body);

        for (HttpResponse<String> response : List.of(defaultSession, namedSession)) {
            expectStatus(response, 200, beta);
            assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("application/json"));
            JsonNode json = ChowderApi.json(response.body());
            assertThat(json.path("object").asText()).isEqualTo("response");
            assertThat(json.path("status").asText()).isEqualTo("completed");
            assertThat(json.path("id").asText()).isNotBlank();
            assertThat(json.at("/usage/input_tokens").asInt()).isPositive();
            assertThat(replyOf(json).last()).isEqualTo("Hey, remember me?");
        }
        ScriptedReply named = replyOf(ChowderApi.json(namedSession.body()));
        assertThat(named.turns()).as(named.toString()).isEqualTo(1);
        assertThat(named.session()).isNotEqualTo(replyOf(ChowderApi.json(defaultSession.body())).session());
    }

    // --- Memory --------------------------------------------------------------------------------------

    @Test
    void secondTurnOfASessionSeesTheFirst() {
        ScriptedReply first = turn(betaId, "memory-1", "my name is Ada");
        ScriptedReply second = turn(betaId, "memory-1", "what is my name?");

        assertThat(first.turns()).as(first.toString()).isEqualTo(1);
        assertThat(second.turns()).as(second.toString()).isEqualTo(2);
        assertThat(second.first()).isEqualTo("my name is Ada");
        assertThat(second.last()).isEqualTo("what is my name?");
        assertThat(second.session()).isEqualTo(first.session());
    }

    @Test
    void defaultEndpointAndTheMainSessionShareOneHistory() {
        // Other tests talk to beta's default session too, so the counts are relative to this test's first turn.
        ScriptedReply viaDefault = turnInDefaultSession(betaId, "main via the default endpoint");
        ScriptedReply viaMain = turn(betaId, "main", "main via its name");
        ScriptedReply viaDefaultAgain = turnInDefaultSession(betaId, "main via the default endpoint again");

        assertThat(viaDefault.last()).isEqualTo("main via the default endpoint");
        assertThat(viaMain.turns()).as(viaMain.toString()).isEqualTo(viaDefault.turns() + 1);
        assertThat(viaMain.first()).isEqualTo(viaDefault.first());
        assertThat(viaMain.session()).isEqualTo(viaDefault.session());
        assertThat(viaDefaultAgain.turns()).as(viaDefaultAgain.toString()).isEqualTo(viaDefault.turns() + 2);
        assertThat(viaDefaultAgain.session()).isEqualTo(viaDefault.session());
    }

    // --- Isolation -----------------------------------------------------------------------------------

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

    // --- What reaches the model ----------------------------------------------------------------------

    @Test
    void instructionsOfARequestReachTheModelsSystemPrompt() {
        ObjectNode withPersona = requestBody("echo-system:persona-7f3a who are you?")
                .put("instructions", "You are Captain persona-7f3a, a pirate.");
        ObjectNode withoutPersona = requestBody("echo-system:persona-7f3a who are you?");

        ScriptedReply instructed = replyOf(send(alphaId, "persona", withPersona));
        ScriptedReply plain = replyOf(send(alphaId, "no-persona", withoutPersona));

        assertThat(instructed.systemContainsMarker()).as(instructed.toString()).contains(true);
        assertThat(plain.systemContainsMarker()).as(plain.toString()).contains(false);
    }

    @Test
    void bareModelNameIsDroppedAndTheGatewaysModelAnswers() {
        JsonNode answer = send(alphaId, "model-field", requestBody("which model?"));
        RecordedModelRequest reachedModel = modelRequestWithLastText("which model?");

        assertThat(replyOf(answer).last()).isEqualTo("which model?");
        assertThat(reachedModel.conversation().model()).isEqualTo(GATEWAY_BACKEND_MODEL);
        // The gateway names the agent target it was asked for: what Chowder put in place of the client's model.
        assertThat(answer.path("model").asText()).isEqualTo("openclaw");
    }

    @Test
    void providerQualifiedModelSelectsTheGatewaysBackendModel() {
        ObjectNode body = requestBody("which qualified model?").put("model", OpenClawGateway.MODEL);

        JsonNode answer = send(alphaId, "model-qualified", body);

        assertThat(replyOf(answer).last()).isEqualTo("which qualified model?");
        assertThat(modelRequestWithLastText("which qualified model?").conversation().model()).isEqualTo(GATEWAY_BACKEND_MODEL);
    }

    // --- Streaming -----------------------------------------------------------------------------------

    @Test
    void streamRelaysTheGatewaysEventsThenDone() {
        StreamedAnswer answer = api.postAndReadLines(ChowderApi.sessionResponsesPath(alphaId, "stream-1"),
                organization.apiKey(), requestBody("stream me").put("stream", true).toString());

        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        assertThat(answer.headers().firstValue("content-type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("text/event-stream"));
        assertThat(answer.headers().firstValue("cache-control")).contains("no-cache");
        assertThat(answer.headers().firstValue("x-accel-buffering")).contains("no");
        Events events = Events.of(answer.lines());
        assertThat(events.types()).as(answer.body())
                .startsWith("response.created", "response.in_progress")
                .contains("response.output_item.added", "response.output_text.delta", "response.output_text.done")
                .endsWith("response.completed");
        assertThat(events.data().getLast()).isEqualTo("[DONE]");
        ScriptedReply reply = ScriptedReply.parse(events.deltaText());
        assertThat(reply.turns()).isEqualTo(1);
        assertThat(reply.first()).isEqualTo("stream me");

        // The streamed turn is part of the session's history like any other.
        assertThat(turn(alphaId, "stream-1", "after the stream").turns()).isEqualTo(2);
    }

    @Test
    void firstStreamedDeltaReachesTheClientLongBeforeTheLastIsProduced() {
        int chunks = 6;
        long gapMillis = 500;
        String input = "slow:" + chunks + ":" + gapMillis + " stream slowly";

        StreamedAnswer answer = api.postAndReadLines(ChowderApi.sessionResponsesPath(alphaId, "stream-slow"),
                organization.apiKey(), requestBody(input).put("stream", true).toString());

        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        Events events = Events.of(answer.lines());
        assertThat(ScriptedReply.parse(events.deltaText()).last()).isEqualTo(input);
        List<Instant> deltas = events.deltaArrivals();
        assertThat(deltas).as(answer.body()).hasSizeGreaterThanOrEqualTo(2);
        Instant modelReceived = modelRequestWithLastText(input).receivedAt();
        // The model writes its last chunk (chunks - 1) gaps after it received the request.
        Instant lastProduced = modelReceived.plusMillis((chunks - 1) * gapMillis);
        assertThat(deltas.getFirst()).as("first delta vs. last chunk produced at %s", lastProduced)
                .isBefore(lastProduced.minusMillis(1_000));
        assertThat(deltas.getLast()).as("last delta vs. last chunk produced").isAfterOrEqualTo(lastProduced);
    }

    // --- Sessions extension --------------------------------------------------------------------------

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

    // --- A gateway that is gone ----------------------------------------------------------------------

    /** Runs last: it stops {@code beta}. */
    @Test
    @Order(Integer.MAX_VALUE)
    void stoppedGatewayIsA502InTheHostedFormatThatNeverShowsTheGatewayToken() {
        assertThat(turn(betaId, "last-words", "still there?").last()).isEqualTo("still there?");
        beta.stop();

        HttpResponse<String> plain = api.post(ChowderApi.responsesPath(betaId), organization.apiKey(),
                requestBody("anyone there?").toString());
        HttpResponse<String> streamed = api.post(ChowderApi.sessionResponsesPath(betaId, "last-words"),
                organization.apiKey(), requestBody("anyone there?").put("stream", true).toString());

        for (HttpResponse<String> answer : List.of(plain, streamed)) {
            expectStatus(answer, 502, beta);
            assertThat(answer.headers().firstValue("content-type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("application/json"));
            JsonNode detail = ChowderApi.json(answer.body()).path("detail");
            assertThat(detail.isObject()).as(answer.body()).isTrue();
            assertThat(detail.path("error").asText()).as(answer.body()).startsWith("Gateway unavailable – ");
            assertThat(answer.body()).doesNotContain(beta.token());
            assertThat(answer.headers().map().toString()).doesNotContain(beta.token());
        }
        for (OpenClawGateway gateway : List.of(alpha, beta)) {
            assertThat(chowder.log()).as("Chowder's log").doesNotContain(gateway.token());
        }
    }

    // --- The official OpenAI SDK as a client ---------------------------------------------------------

    @Test
    void openAiSdkTalksToTheDefaultSessionWithMemory() {
        URI baseUrl = URI.create(chowder.baseUrl() + "/v1/instances/" + betaId);

        ScriptedReply first = sdkReply(sdk.createResponse(baseUrl, organization.apiKey(), "sdk main one", false, Optional.empty()));
        ScriptedReply second = sdkReply(sdk.createResponse(baseUrl, organization.apiKey(), "sdk main two", false, Optional.empty()));

        // Other tests talk to beta's default session too: counts are relative.
        assertThat(first.last()).isEqualTo("sdk main one");
        assertThat(second.turns()).as(second.toString()).isEqualTo(first.turns() + 1);
        assertThat(second.first()).isEqualTo(first.first());
        assertThat(second.last()).isEqualTo("sdk main two");
    }

    @Test
    void openAiSdkTalksToANamedSessionWhoseIdNeedsEscaping() {
        String sessionId = "SDK user/7 café";
        URI baseUrl = URI.create(chowder.baseUrl() + "/v1/instances/" + betaId + "/session/" + ChowderApi.encodeSegment(sessionId));

        ScriptedReply first = sdkReply(sdk.createResponse(baseUrl, organization.apiKey(), "sdk named one", false, Optional.empty()));
        ScriptedReply second = sdkReply(sdk.createResponse(baseUrl, organization.apiKey(), "sdk named two", false, Optional.empty()));
        ScriptedReply sameSessionByHttp = turn(betaId, sessionId, "plain http in the sdk's session");

        assertThat(first.turns()).as(first.toString()).isEqualTo(1);
        assertThat(first.first()).isEqualTo("sdk named one");
        assertThat(second.turns()).as(second.toString()).isEqualTo(2);
        assertThat(second.first()).isEqualTo("sdk named one");
        assertThat(sameSessionByHttp.turns()).as(sameSessionByHttp.toString()).isEqualTo(3);
    }

    @Test
    void openAiSdkStreamsTheEventsOfANamedSession() {
        URI baseUrl = URI.create(chowder.baseUrl() + "/v1/instances/" + betaId + "/session/sdk-stream");

        OpenAiSdk.Result result = sdk.createResponse(baseUrl, organization.apiKey(), "sdk stream me", true, Optional.empty());

        assertThat(result.exitCode()).as(result.output() + result.stderr()).isZero();
        List<String> types = new ArrayList<>();
        result.output().path("events").forEach(type -> types.add(type.asText()));
        assertThat(types).startsWith("response.created").contains("response.output_text.delta").endsWith("response.completed");
        String deltas = result.output().path("deltas").asText();
        assertThat(result.output().path("completed_output_text").asText()).isEqualTo(deltas);
        ScriptedReply reply = ScriptedReply.parse(deltas);
        assertThat(reply.turns()).isEqualTo(1);
        assertThat(reply.first()).isEqualTo("sdk stream me");
    }

    @Test
    void openAiSdkSeesTheNotFoundOfAnotherOrganizationsInstance() {
        URI baseUrl = URI.create(chowder.baseUrl() + "/v1/instances/" + alphaId);

        OpenAiSdk.Result result = sdk.createResponse(baseUrl, otherOrganization.apiKey(), "not mine", false, Optional.empty());

        assertThat(result.isApiError()).as(result.output() + result.stderr()).isTrue();
        assertThat(result.output().at("/error/status").asInt()).isEqualTo(404);
    }

    // --- Helpers -------------------------------------------------------------------------------------

    /** The data lines and event types of a stream, and when each text delta arrived. */
    private record Events(List<String> types, List<String> data, List<Instant> deltaArrivals, String deltaText) {
        static Events of(List<TimedLine> lines) {
            List<String> types = new ArrayList<>();
            List<String> data = new ArrayList<>();
            List<Instant> deltaArrivals = new ArrayList<>();
            StringBuilder deltaText = new StringBuilder();
            for (TimedLine line : lines) {
                if (line.line().startsWith("event: ")) {
                    types.add(line.line().substring("event: ".length()));
                } else if (line.line().startsWith("data: ")) {
                    String payload = line.line().substring("data: ".length());
                    data.add(payload);
                    if (!payload.equals("[DONE]")) {
                        JsonNode event = ChowderApi.json(payload);
                        if (event.path("type").asText().equals("response.output_text.delta")) {
                            deltaArrivals.add(line.readAt());
                            deltaText.append(event.path("delta").asText());
                        }
                    }
                }
            }
            return new Events(types, data, deltaArrivals, deltaText.toString());
        }
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
    private Optional<ScriptedReply> softTurn(SoftAssertions softly, String sessionId, String input) {
        HttpResponse<String> response = api.post(ChowderApi.sessionResponsesPath(alphaId, sessionId),
                organization.apiKey(), requestBody(input).toString());
        softly.assertThat(response.statusCode()).as("session id '%s', turn '%s': %s", sessionId, input, response.body())
                .isEqualTo(200);
        return response.statusCode() == 200 ? Optional.of(replyOf(ChowderApi.json(response.body()))) : Optional.empty();
    }

    private ScriptedReply turn(String instanceId, String sessionId, String input) {
        return replyOf(send(instanceId, sessionId, requestBody(input)));
    }

    private ScriptedReply turnInDefaultSession(String instanceId, String input) {
        HttpResponse<String> response = api.post(ChowderApi.responsesPath(instanceId), organization.apiKey(),
                requestBody(input).toString());
        expectStatus(response, 200, gatewayOf(instanceId));
        return replyOf(ChowderApi.json(response.body()));
    }

    private JsonNode send(String instanceId, String sessionId, ObjectNode body) {
        HttpResponse<String> response = api.post(ChowderApi.sessionResponsesPath(instanceId, sessionId),
                organization.apiKey(), body.toString());
        expectStatus(response, 200, gatewayOf(instanceId));
        return ChowderApi.json(response.body());
    }

    /** {@code GET /v1/instances/{alpha}/session/{sessionId}}, expecting {@code status}; the answer's JSON. */
    private JsonNode session(String sessionId, int status) {
        HttpResponse<String> response = api.get(ChowderApi.sessionPath(alphaId, sessionId), organization.apiKey());
        expectStatus(response, status, alpha);
        return ChowderApi.json(response.body());
    }

    /** {@code GET /v1/instances/{alpha}/sessions} with {@code query}, expecting 200; the page's JSON. */
    private JsonNode sessions(String query) {
        HttpResponse<String> response = api.get("/v1/instances/" + alphaId + "/sessions" + query, organization.apiKey());
        expectStatus(response, 200, alpha);
        return ChowderApi.json(response.body());
    }

    private static ObjectNode requestBody(String input) {
        return JSON.createObjectNode().put("model", CLIENT_MODEL).put("input", input);
    }

    /** The scripted model's answer: the text of the first output message. */
    private static ScriptedReply replyOf(JsonNode response) {
        for (JsonNode item : response.path("output")) {
            for (JsonNode part : item.path("content")) {
                if (part.path("type").asText().equals("output_text")) {
                    return ScriptedReply.parse(part.path("text").asText());
                }
            }
        }
        throw new AssertionError("no output text in " + response);
    }

    private static ScriptedReply sdkReply(OpenAiSdk.Result result) {
        assertThat(result.exitCode()).as(result.output() + result.stderr()).isZero();
        assertThat(result.output().path("status").asText()).isEqualTo("completed");
        return ScriptedReply.parse(result.output().path("output_text").asText());
    }

    private RecordedModelRequest modelRequestWithLastText(String input) {
        Instant deadline = Instant.now().plus(MODEL_REQUEST_WAIT);
        while (Instant.now().isBefore(deadline)) {
            for (RecordedModelRequest request : model.requests()) {
                if (request.conversation().lastUserText().equals(input)) {
                    return request;
                }
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
        throw new AssertionError("the model received no request whose last user text is '" + input + "'");
    }

    private OpenClawGateway gatewayOf(String instanceId) {
        return instanceId.equals(alphaId) ? alpha : beta;
    }

    private void expectStatus(HttpResponse<String> response, int status, OpenClawGateway gateway) {
        if (response.statusCode() != status) {
            throw new AssertionError(response.request().method() + " " + response.request().uri() + " answered "
                    + response.statusCode() + " instead of " + status + ": " + response.body()
                    + "\n--- Chowder log tail ---\n" + chowder.logTail()
                    + "\n--- gateway log tail ---\n" + gateway.logTail());
        }
    }

    private <T extends AutoCloseable> T started(CompletableFuture<T> start, List<Throwable> failures) {
        return start.handle((resource, failure) -> {
            if (failure != null) {
                failures.add(failure);
                return null;
            }
            return track(resource);
        }).join();
    }

    private static Throwable unwrap(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }

    private <T extends AutoCloseable> T track(T resource) {
        resources.add(resource);
        return resource;
    }

    private static <T> CompletableFuture<T> async(ExecutorService executor, Supplier<T> task) {
        return CompletableFuture.supplyAsync(task, executor);
    }

    private static <T> T join(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            if (e.getCause() instanceof Error cause) {
                throw cause;
            }
            throw e;
        }
    }
}
