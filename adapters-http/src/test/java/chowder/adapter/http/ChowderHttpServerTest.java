package chowder.adapter.http;

import static org.assertj.core.api.Assertions.assertThat;

import chowder.application.port.in.NewOrganization;
import chowder.application.port.out.InstanceProvisionerPort;
import chowder.application.port.out.SkillCatalogPort;
import chowder.application.port.out.SkillSettingsPort;
import chowder.application.service.ApiKeyService;
import chowder.application.service.AuthenticationService;
import chowder.application.service.ChannelService;
import chowder.application.service.InMemoryChannelSettings;
import chowder.application.service.InMemoryLimitCounters;
import chowder.application.service.InMemoryModelUsage;
import chowder.application.service.InMemorySessions;
import chowder.application.service.InMemoryStore;
import chowder.application.service.InstanceHealthService;
import chowder.application.service.InstanceLimits;
import chowder.application.service.InstanceService;
import chowder.application.service.KeyUsageRecorder;
import chowder.application.service.LimitsService;
import chowder.application.service.ModelRefusals;
import chowder.application.service.ModelUsageRecorder;
import chowder.application.service.ModelUsageService;
import chowder.application.service.OrganizationService;
import chowder.application.service.RecordingGateway;
import chowder.application.service.ResponseService;
import chowder.application.service.ScriptedHealth;
import chowder.application.service.SessionRegistry;
import chowder.application.service.SessionService;
import chowder.application.service.SkillService;
import chowder.application.service.StandInChannels;
import chowder.application.service.TestServices;
import chowder.application.service.UsageLimiter;
import chowder.application.service.WorkspaceFileService;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.GatewayRejectedException;
import chowder.domain.SessionId;
import chowder.domain.SessionKey;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The HTTP adapter through a real Javalin server on a random port, over the real use cases and in-memory stores. */
class ChowderHttpServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_BODY = 64 * 1024;

    private final InMemoryStore store = new InMemoryStore();
    private final RecordingGateway gateway = new RecordingGateway();
    private final ScriptedHealth health = new ScriptedHealth();
    private volatile boolean ready = true;
    private final InMemorySessions sessionStore = new InMemorySessions();
    private final SessionRegistry registry = new SessionRegistry(sessionStore);
    private final InMemoryModelUsage modelUsage = new InMemoryModelUsage();
    private final InMemoryLimitCounters counters = new InMemoryLimitCounters();
    private final HttpClient client = HttpClient.newHttpClient();
    private ChowderHttpServer server;
    private String acmeKey;
    private String globexKey;

    @BeforeEach
    void start() {
        Clock clock = Clock.systemUTC();
        OrganizationService organizations = TestServices.organizations(store, new InstanceLimits(3), clock);
        InstanceHealthService probes = new InstanceHealthService(store, store, health, Runnable::run, 8, clock);
        InstanceService instances = new InstanceService(store, store, health, probes, new InstanceLimits(3), clock);
        ApiKeyService keys = new ApiKeyService(store, store, store, new SecureRandom(), clock);
        // Signup on: every route is registered (the OpenAPI document is compared with them).
        server = new ChowderHttpServer(new HttpServerConfig("127.0.0.1", 0, MAX_BODY, java.time.Duration.ZERO, true),
                MetricsConfig.open(), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), new ApiUseCases(new AuthenticationService(store, new KeyUsageRecorder(store), clock),
                        new ResponseService(store, gateway, registry, new UsageLimiter(store, counters, clock), new ModelRefusals(), clock), instances, instances, instances, organizations, organizations,
                        keys,
                        new SessionService(store, sessionStore, sessionStore, registry), () -> {
                            if (!ready) {
                                throw new chowder.domain.ChowderException(ErrorCode.NOT_READY, "Not ready: the database is unreachable.");
                            }
                        }, new WorkspaceFileService(store, new NoWorkspaces()),
                        new SkillService(store, InstanceProvisionerPort.DISABLED, new NoInstanceSkills(), SkillCatalogPort.NONE, SkillSettingsPort.NONE),
                        new LimitsService(store, keys, store, store),
                        new ModelUsageService(store, modelUsage, new ModelUsageRecorder(modelUsage)),
                        new ChannelService(store, new InMemoryChannelSettings(), new StandInChannels(), new SecureRandom())));
        server.start();
        NewOrganization acme = organizations.create("Acme");
        acmeKey = acme.apiKey().value();
        globexKey = organizations.create("Globex").apiKey().value();
    }

    @AfterEach
    void stop() {
        server.stop();
    }

    @Test
    void theOpenApiDocumentIsValidOpenApi31() throws Exception {
        HttpResponse<String> document = send("GET", "/openapi.json", null, null);
        assertThat(document.statusCode()).isEqualTo(200);
        assertThat(document.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        options.setValidateInternalRefs(true);
        SwaggerParseResult parsed = new OpenAPIV3Parser().readContents(document.body(), null, options);
        assertThat(parsed.getMessages()).isEmpty();
        assertThat(parsed.getOpenAPI().getOpenapi()).isEqualTo("3.1.0");
        assertThat(parsed.getOpenAPI().getPaths()).isNotEmpty();
    }

    @Test
    void theOpenApiDocumentDescribesExactlyTheRegisteredRoutes() throws Exception {
        JsonNode paths = JSON.readTree(send("GET", "/openapi.json", null, null).body()).path("paths");
        java.util.Set<String> documented = new java.util.TreeSet<>();
        paths.properties().forEach(path -> path.getValue().properties().stream()
                .map(java.util.Map.Entry::getKey)
                .filter(method -> !method.equals("parameters"))
                .forEach(method -> documented.add(method.toUpperCase(java.util.Locale.ROOT) + " " + path.getKey())));
        assertThat(server.routes()).hasSizeGreaterThan(20);
        assertThat(documented).as("documented routes").containsExactlyInAnyOrderElementsOf(server.routes());
    }

    @Test
    void theWorkspaceFileRoutesAreTheHostedOnesAndOnlyDeleteIsAnExtension() throws Exception {
        assertThat(extensionsUnder("/v1/instances/{id}/files")).containsExactlyInAnyOrderEntriesOf(java.util.Map.of(
                "GET /v1/instances/{id}/files", false,
                "GET /v1/instances/{id}/files/content", false,
                "PUT /v1/instances/{id}/files/content", false,
                "GET /v1/instances/{id}/files/download", false,
                "POST /v1/instances/{id}/files/upload", false,
                "POST /v1/instances/{id}/files/move", false,
                "DELETE /v1/instances/{id}/files", true));
    }

    @Test
    void theSkillRoutesAreTheHostedOnesAndOnlyDeleteIsAnExtension() throws Exception {
        assertThat(extensionsUnder("/v1/instances/{id}/skills")).containsExactlyInAnyOrderEntriesOf(java.util.Map.of(
                "GET /v1/instances/{id}/skills", false,
                "POST /v1/instances/{id}/skills/install", false,
                "GET /v1/instances/{id}/skills/{skill_name}", false,
                "PATCH /v1/instances/{id}/skills/{skill_name}", false,
                "DELETE /v1/instances/{id}/skills/{skill_name}", true));
    }

    @Test
    void aRegisteredGatewaysSkillsAreAClearConflictAndAnotherOrganizationsANotFound() throws Exception {
        String id = JSON.readTree(send("POST", "/v1/instances", acmeKey,
                "{\"name\":\"registered\",\"gateway_url\":\"http://127.0.0.1:18789\",\"gateway_token\":\"t\"}").body()).path("id").asText();
        String skills = "/v1/instances/" + id + "/skills";

        for (HttpResponse<String> conflict : java.util.List.of(send("GET", skills, acmeKey, null),
                send("POST", skills + "/install", acmeKey, "{\"slug\":\"weather\"}"),
                send("PATCH", skills + "/weather", acmeKey, "{\"enabled\":false}"), send("DELETE", skills + "/weather", acmeKey, null))) {
            assertThat(conflict.statusCode()).as(conflict.body()).isEqualTo(409);
            assertThat(detail(conflict)).contains("provisions", "registered gateway");
        }
        for (HttpResponse<String> hidden : java.util.List.of(send("GET", skills, globexKey, null),
                send("POST", skills + "/install", globexKey, "{\"slug\":\"weather\"}"),
                send("PATCH", skills + "/weather", globexKey, "{\"enabled\":false}"))) {
            assertThat(hidden.statusCode()).as(hidden.body()).isEqualTo(404);
        }
        assertThat(send("GET", skills + "?eligible_only=maybe", acmeKey, null).statusCode()).isEqualTo(400);
    }

    /** For each documented "METHOD path" under {@code prefix}: whether it is marked x-chowder-extension. */
    private java.util.Map<String, Boolean> extensionsUnder(String prefix) throws Exception {
        JsonNode paths = JSON.readTree(send("GET", "/openapi.json", null, null).body()).path("paths");
        java.util.Map<String, Boolean> extension = new java.util.TreeMap<>();
        paths.properties().stream().filter(path -> path.getKey().startsWith(prefix))
                .forEach(path -> path.getValue().properties().stream().filter(method -> !method.getKey().equals("parameters"))
                        .forEach(method -> extension.put(method.getKey().toUpperCase(java.util.Locale.ROOT) + " " + path.getKey(),
                                method.getValue().path("x-chowder-extension").asBoolean(false))));
        return extension;
    }

    @Test
    void requestsWithoutAValidKeyAreUnauthorised() throws Exception {
        HttpResponse<String> missing = send("GET", "/v1/instances", null, null);
        assertThat(missing.statusCode()).isEqualTo(401);
        assertThat(detail(missing)).contains("Missing API key");
        assertThat(missing.headers().firstValue("WWW-Authenticate")).contains("Bearer");
        assertThat(missing.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));

        HttpResponse<String> malformed = send("GET", "/v1/instances", "chd_org_typo", null);
        assertThat(malformed.statusCode()).isEqualTo(401);
        assertThat(detail(malformed)).isEqualTo("Invalid API key.");
    }

    @Test
    void registersListsAndShowsInstancesWithoutEverReturningTheToken() throws Exception {
        HttpResponse<String> created = send("POST", "/v1/instances", acmeKey,
                "{\"name\":\"support-bot\",\"gateway_url\":\"http://127.0.0.1:18789\",\"gateway_token\":\"secret-gw-token\"}");
        assertThat(created.statusCode()).isEqualTo(201);
        JsonNode instance = JSON.readTree(created.body());
        assertThat(instance.path("name").asText()).isEqualTo("support-bot");
        assertThat(instance.path("status").asText()).isEqualTo("provisioning");
        assertThat(instance.path("gateway_url").asText()).isEqualTo("http://127.0.0.1:18789");
        assertThat(instance.has("organization_id") && instance.has("created_at") && instance.has("error_message")).isTrue();
        assertThat(created.body()).doesNotContain("secret-gw-token").doesNotContain("gateway_token");

        String id = instance.path("id").asText();
        HttpResponse<String> list = send("GET", "/v1/instances", acmeKey, null);
        assertThat(JSON.readTree(list.body()).findValuesAsText("id")).containsExactly(id);
        assertThat(list.body()).doesNotContain("secret-gw-token");
        assertThat(JSON.readTree(send("GET", "/v1/instances/" + id, acmeKey, null).body()).path("id").asText()).isEqualTo(id);
    }

    @Test
    void theInstanceLifecycleThroughTheApiWithEvery409() throws Exception {
        String id = register(acmeKey);
        String path = "/v1/instances/" + id;
        assertThat(JSON.readTree(send("GET", path + "/status", acmeKey, null).body()))
                .isEqualTo(JSON.readTree("{\"id\":\"" + id + "\",\"status\":\"running\",\"gateway_url\":\"http://127.0.0.1:18789\"}"));
        HttpResponse<String> started = send("POST", path + "/start", acmeKey, null);
        assertThat(started.statusCode()).isEqualTo(409);
        assertThat(detail(started)).isEqualTo("Instance is already running; stop it first to start it again.");
        HttpResponse<String> stopped = send("POST", path + "/stop", acmeKey, null);
        assertThat(JSON.readTree(stopped.body()).path("status").asText()).isEqualTo("stopped");
        HttpResponse<String> again = send("POST", path + "/stop", acmeKey, null);
        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(detail(again)).isEqualTo("Instance is already stopped.");
        HttpResponse<String> refused = send("POST", path + "/responses", acmeKey, "{\"input\":\"hi\"}");
        assertThat(refused.statusCode()).isEqualTo(409);
        assertThat(detail(refused)).isEqualTo("Instance is not running.");
        assertThat(JSON.readTree(send("POST", path + "/start", acmeKey, null).body()).path("status").asText()).isEqualTo("provisioning");
        assertThat(JSON.readTree(send("GET", path, acmeKey, null).body()).path("status").asText()).isEqualTo("running");
        assertThat(send("POST", path + "/responses", acmeKey, "{\"input\":\"hi\"}").statusCode()).isEqualTo(200);

        HttpResponse<String> patched = send("PATCH", path, acmeKey,
                "{\"name\":\"renamed\",\"gateway_token\":\"rotated\",\"openclaw_config\":{\"agents\":{\"defaults\":{}}}}");
        assertThat(patched.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(patched.body()).path("name").asText()).isEqualTo("renamed");
        assertThat(JSON.readTree(patched.body()).path("openclaw_config")).isEqualTo(JSON.readTree("{\"agents\":{\"defaults\":{}}}"));
        assertThat(patched.body()).doesNotContain("rotated");
        assertThat(send("PATCH", path, acmeKey, "{\"openclaw_config\":[1]}").statusCode()).isEqualTo(422);

        assertThat(send("DELETE", path, acmeKey, null).statusCode()).isEqualTo(204);
        assertThat(send("GET", path, acmeKey, null).statusCode()).isEqualTo(404);
        assertThat(send("DELETE", path, acmeKey, null).statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(send("GET", "/v1/instances", acmeKey, null).body())).isEmpty();
    }

    @Test
    void theInstanceLimitIs402AndForbiddenAddressesAre422() throws Exception {
        health.forbiddenHosts.add("169.254.169.254");
        HttpResponse<String> metadata = send("POST", "/v1/instances", acmeKey,
                "{\"name\":\"x\",\"gateway_url\":\"http://169.254.169.254\",\"gateway_token\":\"t\"}");
        assertThat(metadata.statusCode()).isEqualTo(422);
        for (int i = 0; i < 3; i++) {
            register(acmeKey);
        }
        HttpResponse<String> fourth = send("POST", "/v1/instances", acmeKey,
                "{\"name\":\"four\",\"gateway_url\":\"http://127.0.0.1:18789\",\"gateway_token\":\"t\"}");
        assertThat(fourth.statusCode()).isEqualTo(402);
        assertThat(detail(fourth)).contains("Instance limit reached");
    }

    @Test
    void anotherOrganizationsInstanceIsNotFound() throws Exception {
        String id = register(acmeKey);
        for (String path : new String[] {"/v1/instances/" + id, "/v1/instances/not-a-uuid"}) {
            HttpResponse<String> response = send("GET", path, globexKey, null);
            assertThat(response.statusCode()).isEqualTo(404);
            assertThat(detail(response)).isEqualTo("Instance not found.");
        }
        HttpResponse<String> foreignSend = send("POST", "/v1/instances/" + id + "/responses", globexKey, "{\"input\":\"hi\"}");
        assertThat(foreignSend.statusCode()).isEqualTo(404);
        for (String[] call : new String[][] {{"PATCH", "", "{\"name\":\"x\"}"}, {"DELETE", "", null}, {"POST", "/stop", null},
                {"POST", "/start", null}, {"GET", "/status", null}}) {
            assertThat(send(call[0], "/v1/instances/" + id + call[1], globexKey, call[2]).statusCode()).as(call[0] + call[1]).isEqualTo(404);
        }
        assertThat(JSON.readTree(send("GET", "/v1/instances/" + id, acmeKey, null).body()).path("status").asText()).isEqualTo("running");
        assertThat(JSON.readTree(send("GET", "/v1/instances", globexKey, null).body())).isEmpty();
        assertThat(gateway.calls).isEmpty();
    }

    @Test
    void invalidRegistrationsAnswer422NamingTheField() throws Exception {
        HttpResponse<String> response = send("POST", "/v1/instances", acmeKey, "{\"name\":\"x\",\"gateway_url\":\"ftp://h\",\"gateway_token\":\"t\"}");
        assertThat(response.statusCode()).isEqualTo(422);
        assertThat(detail(response)).contains("gateway_url");
        HttpResponse<String> wrongType = send("POST", "/v1/instances", acmeKey, "{\"name\":42}");
        assertThat(wrongType.statusCode()).isEqualTo(422);
        assertThat(detail(wrongType)).isEqualTo("name must be a string.");
    }

    @Test
    void theDefaultEndpointIsSessionMainAndRelaysTheGatewayAnswer() throws Exception {
        String id = register(acmeKey);
        HttpResponse<String> response = send("POST", "/v1/instances/" + id + "/responses", acmeKey,
                "{\"model\":\"claude-sonnet-4-20250514\",\"input\":\"Hey, remember me?\"}");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("{\"object\":\"response\"}");
        send("POST", "/v1/instances/" + id + "/session/main/responses", acmeKey, "{\"input\":\"again\"}");

        assertThat(gateway.calls).extracting(call -> call.sessionKey().value()).containsExactly("chowder-0-main", "chowder-0-main");
        var first = gateway.calls.getFirst().request();
        assertThat(first.model()).contains("claude-sonnet-4-20250514");
        assertThat(JSON.readTree(first.otherFieldsJson())).isEqualTo(JSON.readTree("{\"input\":\"Hey, remember me?\"}"));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "user-42|user-42",
            "User-42|User-42",
            "%20user-42|\" user-42\"",
            "a%2Fb|a/b",
            "a%2fb|a/b",
            "a+b|a+b",
            "caf%C3%A9|café",
            "cafe%CC%81|cafe\u0301",
            "%2E%2E|..",
            "%25|%",
            "~|~",
            "agent:main:x|agent:main:x",
            "%F0%9F%98%80|😀"})
    void namedSessionIdsArriveExactlyAsTheClientEncodedThem(String rawSegment, String expectedId) throws Exception {
        String id = register(acmeKey);
        HttpResponse<String> response = send("POST", "/v1/instances/" + id + "/session/" + rawSegment + "/responses", acmeKey,
                "{\"input\":\"hi\"}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(gateway.calls.getLast().sessionKey()).isEqualTo(SessionKey.forSession(SessionId.of(expectedId), 0));
    }

    @Test
    void theLongestSessionIdIsAcceptedAndOneMoreCodePointIsNot() throws Exception {
        String id = register(acmeKey);
        String longest = "%F0%9F%98%80".repeat(256);
        assertThat(send("POST", "/v1/instances/" + id + "/session/" + longest + "/responses", acmeKey, "{\"input\":\"hi\"}").statusCode())
                .isEqualTo(200);
        HttpResponse<String> tooLong = send("POST", "/v1/instances/" + id + "/session/" + "a".repeat(257) + "/responses", acmeKey,
                "{\"input\":\"hi\"}");
        assertThat(tooLong.statusCode()).isEqualTo(400);
        assertThat(detail(tooLong)).contains("1 to 256");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "%FF|UTF-8",
            "%C3|UTF-8",
            "%ED%A0%80|UTF-8",
            "a%00b|Bad request",
            "a%7Fb|control characters",
            "a%0Ab|control characters"})
    void invalidSessionIdsAreRejectedWithAClearMessage(String rawSegment, String message) throws Exception {
        String id = register(acmeKey);
        HttpResponse<String> response = send("POST", "/v1/instances/" + id + "/session/" + rawSegment + "/responses", acmeKey,
                "{\"input\":\"hi\"}");
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(detail(response)).as(response.body()).contains(message);
        assertThat(response.headers().firstValue("X-Request-Id")).as("refused by Jetty or by Chowder, the answer names the request")
                .hasValueSatisfying(requestId -> assertThat(requestId).matches("[0-9a-f]{32}"));
        assertThat(gateway.calls).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "not json|Request body is not valid JSON",
            "[1,2]|Request body must be a JSON object.",
            "`\"text\"`|Request body must be a JSON object.",
            "{}|input is required",
            "{\"input\":null}|input is required",
            "{\"input\":\"x\",\"model\":5}|model must be a string.",
            "{\"model\":{\"input\":\"smuggled\"},\"input\":\"x\"}|model must be a string.",
            "{\"input\":\"x\",\"model\":\"a\",\"model\":[1]}|model must be a string.",
            "{\"input\":\"x\",\"stream\":\"yes\"}|stream must be true or false.",
            "{\"input\":\"x\"} junk|Request body is not valid JSON",
            "{\"input\":\"x\"}{\"input\":\"y\"}|content after the JSON value"})
    void badBodiesAre400(String body, String message) throws Exception {
        String id = register(acmeKey);
        HttpResponse<String> response = send("POST", "/v1/instances/" + id + "/responses", acmeKey, body);
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(detail(response)).contains(message);
        assertThat(gateway.calls).isEmpty();
    }

    @Test
    void aKnownPathWithAnotherMethodIs405NamingTheMethodsItHas() throws Exception {
        String id = register(acmeKey);
        HttpResponse<String> put = send("PUT", "/v1/instances", acmeKey, "{}");
        assertThat(put.statusCode()).isEqualTo(405);
        assertThat(put.headers().firstValue("Allow")).contains("GET, POST");
        assertThat(detail(put)).isEqualTo("Method not allowed: PUT /v1/instances accepts GET, POST.");
        HttpResponse<String> get = send("GET", "/v1/instances/" + id + "/responses", acmeKey, null);
        assertThat(get.statusCode()).isEqualTo(405);
        assertThat(get.headers().firstValue("Allow")).contains("POST");
        // An unknown path stays a 404.
        assertThat(send("GET", "/v1/nothing-here", acmeKey, null).statusCode()).isEqualTo(404);
    }

    @Test
    void malformedJsonSaysWhereWithoutTheParsersInternals() throws Exception {
        String id = register(acmeKey);
        for (String path : List.of("/v1/instances", "/v1/instances/" + id + "/responses")) {
            HttpResponse<String> unterminated = send("POST", path, acmeKey, "{\"name\": \"x\", \"input\": \"y\"");
            HttpResponse<String> badValue = send("POST", path, acmeKey, "{\n  \"name\": \"x\",\n  \"input\": nope\n}");
            for (HttpResponse<String> response : List.of(unterminated, badValue)) {
                assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
                assertThat(detail(response)).startsWith("Request body is not valid JSON: ")
                        .doesNotContain("Source", "REDACTED", "StreamReadFeature", "com.fasterxml");
            }
            assertThat(detail(unterminated)).contains("line 1, column");
            assertThat(detail(badValue)).contains("'nope'", "(at line 3, column");
        }
        assertThat(gateway.calls).isEmpty();
    }

    @Test
    void theForwardedBodyIsTheClientsFieldsExactlyWithTheLastOfARepeatedFieldWinning() throws Exception {
        String id = register(acmeKey);
        HttpResponse<String> response = send("POST", "/v1/instances/" + id + "/responses", acmeKey,
                "{\"model\":5,\"model\":\"openai/gpt-5.1\",\"stream\":\"yes\",\"stream\":false,\"input\":\"x\","
                        + "\"temperature\":0.10,\"max_output_tokens\":123456789012345678901234567890,\"n\":1e400}");
        assertThat(response.statusCode()).isEqualTo(200);
        var forwarded = gateway.calls.getLast().request();
        assertThat(forwarded.model()).contains("openai/gpt-5.1");
        assertThat(forwarded.stream()).isFalse();
        // Numbers pass as the client wrote them: no rounding through double, no "Infinity".
        assertThat(new String(forwarded.otherFieldsJson(), java.nio.charset.StandardCharsets.UTF_8))
                .doesNotContain("model")
                .contains("\"temperature\":0.10", "\"max_output_tokens\":123456789012345678901234567890")
                .doesNotContain("Infinity");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '~', value = {
            "{\"model\":\"m\",\"input\":\"x\"}|{\"input\":\"x\"}",
            "{\"input\":\"x\", \"model\" : \"m\" }|{\"input\":\"x\" }",
            "{ \"model\":null, \"input\":\"x\" }|{  \"input\":\"x\" }",
            "{\"input\":\"é\",\"model\":\"m\",\"stream\":false}|{\"input\":\"é\",\"stream\":false}",
            "{\"model\":{\"a\":[1]},\"input\":[{\"model\":\"nested\"}],\"model\":\"m\"}|{\"input\":[{\"model\":\"nested\"}]}",
            "{\"model\":\"a\",\"model\":\"b\",\"input\":\"x\"}|{\"input\":\"x\"}",
            "{\"input\":\"x\",\"model\":\"a\",\"model\":\"b\"}|{\"input\":\"x\"}",
            "{\"input\":\"x\" ,\"model\":\"a\", \"model\":\"b\",\"model\":\"c\" }|{\"input\":\"x\"  }",
            "{\"model\":\"a\",\"input\":\"x\",\"model\":\"b\"}|{\"input\":\"x\"}",
            "{\"input\":\"x\"}|{\"input\":\"x\"}"})
    void theForwardedBodyIsTheClientsOwnBytesWithoutItsModel(String body, String forwarded) throws Exception {
        String id = register(acmeKey);
        HttpResponse<String> response = send("POST", "/v1/instances/" + id + "/responses", acmeKey, body);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(new String(gateway.calls.getLast().request().otherFieldsJson(), java.nio.charset.StandardCharsets.UTF_8))
                .isEqualTo(forwarded);
    }

    @Test
    void whiteSpaceOrAByteOrderMarkAroundTheObjectIsNotForwarded() throws Exception {
        String id = register(acmeKey);
        for (String body : List.of("\n  {\"input\":\"x\",\"model\":\"m\"}\r\n", "\uFEFF{\"input\":\"x\",\"model\":\"m\"}")) {
            HttpResponse<String> response = send("POST", "/v1/instances/" + id + "/responses", acmeKey, body);
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(new String(gateway.calls.getLast().request().otherFieldsJson(), java.nio.charset.StandardCharsets.UTF_8))
                    .isEqualTo("{\"input\":\"x\"}");
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"C3 78", "FF", "ED A0 80", "ED A0 BD ED B8 80", "C0 80", "C1 BF", "E0 80 80", "F0 80 80 80", "F4 90 80 80",
            "F5 80 80 80", "E2 82"})
    void aStringThatIsNotUtf8IsA400ThoughItsTextIsNeverDecoded(String bytes) throws Exception {
        String id = register(acmeKey);
        HttpResponse<String> response = sendChunked("/v1/instances/" + id + "/responses", inputOf(bytes));
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(detail(response)).startsWith("Request body is not valid JSON");
        assertThat(gateway.calls).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"C3 A9", "E2 82 AC", "ED 9F BF", "EE 80 80", "F0 9F 98 80", "F4 8F BF BF"})
    void everyWellFormedUtf8SequenceIsForwardedAsItCame(String bytes) throws Exception {
        String id = register(acmeKey);
        HttpResponse<String> response = sendChunked("/v1/instances/" + id + "/responses", inputOf(bytes));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(gateway.calls.getLast().request().otherFieldsJson()).isEqualTo(inputOf(bytes));
    }

    @Test
    void aCharacterSplitBetweenTwoPartsIsWellFormedAndABodyInUtf16IsA400() throws Exception {
        String id = register(acmeKey);
        // The first part read of a chunked body is 4096 bytes: "é" (C3 A9) straddles its end.
        String input = "a".repeat(4096 - "{\"input\":\"".length() - 1) + "é";
        byte[] body = ("{\"input\":\"" + input + "\"}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(sendChunked("/v1/instances/" + id + "/responses", body).statusCode()).isEqualTo(200);
        assertThat(gateway.calls.getLast().request().otherFieldsJson()).isEqualTo(body);

        HttpResponse<String> utf16 = sendChunked("/v1/instances/" + id + "/responses",
                "{\"input\":\"x\",\"model\":\"a\"}".getBytes(java.nio.charset.StandardCharsets.UTF_16BE));
        assertThat(utf16.statusCode()).isEqualTo(400);
        assertThat(detail(utf16)).contains("must be UTF-8");
    }

    /** {@code {"input":"<bytes>"}}, the bytes given in hex. */
    private static byte[] inputOf(String hexBytes) {
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        body.writeBytes("{\"input\":\"".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        for (String hex : hexBytes.split(" ")) {
            body.write(Integer.parseInt(hex, 16));
        }
        body.writeBytes("\"}".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        return body.toByteArray();
    }

    @Test
    void aBodyWithoutALengthArrivesInPartsAndIsForwardedWhole() throws Exception {
        String id = register(acmeKey);
        // Sent chunked, so read in growing parts: the model's member and the comma before it lie in a later part.
        String input = "ü".repeat(6000);
        byte[] body = ("{\"input\":\"" + input + "\",\"model\":\"m\"}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        HttpResponse<String> response = sendChunked("/v1/instances/" + id + "/responses", body);
        assertThat(response.statusCode()).isEqualTo(200);
        var forwarded = gateway.calls.getLast().request();
        assertThat(forwarded.model()).contains("m");
        assertThat(forwarded.otherFields()).hasSizeGreaterThan(1);
        assertThat(new String(forwarded.otherFieldsJson(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("{\"input\":\"" + input + "\"}");
    }

    @ParameterizedTest
    @CsvSource({"%zz", "abc%2", "a%G0"})
    void malformedPercentEscapesAre400InJson(String rawSegment) throws Exception {
        String id = register(acmeKey);
        String request = "POST /v1/instances/" + id + "/session/" + rawSegment + "/responses HTTP/1.1\r\n"
                + "Host: 127.0.0.1\r\nAuthorization: Bearer " + acmeKey + "\r\nContent-Type: application/json\r\n"
                + "Content-Length: 13\r\nConnection: close\r\n\r\n{\"input\":\"x\"}";
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port())) {
            socket.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String answer = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(answer).startsWith("HTTP/1.1 400");
            JsonNode body = JSON.readTree(answer.substring(answer.indexOf("\r\n\r\n") + 4));
            assertThat(body.path("detail").asText()).as(answer).isNotBlank();
        }
        assertThat(gateway.calls).isEmpty();
    }

    @Test
    void aBodyOverTheLimitIs413() throws Exception {
        String id = register(acmeKey);
        String big = "{\"input\":\"" + "x".repeat((int) MAX_BODY) + "\"}";
        HttpResponse<String> response = send("POST", "/v1/instances/" + id + "/responses", acmeKey, big);
        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(detail(response)).contains("larger than the limit of 65536 bytes");
        // Without a declared length the limit holds as the parts arrive.
        byte[] undeclared = big.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        HttpResponse<String> chunked = sendChunked("/v1/instances/" + id + "/responses", undeclared);
        assertThat(chunked.statusCode()).isEqualTo(413);
        assertThat(detail(chunked)).contains("larger than the limit of 65536 bytes");
        assertThat(gateway.calls).isEmpty();
    }

    @Test
    void gatewayFailuresUseTheHostedNestedFormatAndRejectionsKeepTheirStatus() throws Exception {
        String id = register(acmeKey);
        gateway.failure = new ChowderException(ErrorCode.GATEWAY_UNAVAILABLE, "Gateway unavailable – connection refused.");
        HttpResponse<String> unavailable = send("POST", "/v1/instances/" + id + "/responses", acmeKey, "{\"input\":\"hi\"}");
        assertThat(unavailable.statusCode()).isEqualTo(502);
        assertThat(JSON.readTree(unavailable.body()).path("detail").path("error").asText()).isEqualTo("Gateway unavailable – connection refused.");

        gateway.failure = new ChowderException(ErrorCode.GATEWAY_TIMEOUT, "Gateway timeout – too slow.");
        assertThat(send("POST", "/v1/instances/" + id + "/responses", acmeKey, "{\"input\":\"hi\"}").statusCode()).isEqualTo(504);

        gateway.failure = new GatewayRejectedException(429, "Too many requests", Optional.of("7"));
        HttpResponse<String> limited = send("POST", "/v1/instances/" + id + "/responses", acmeKey, "{\"input\":\"hi\"}");
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(detail(limited)).isEqualTo("Too many requests");
        assertThat(limited.headers().firstValue("Retry-After")).contains("7");
    }

    @Test
    void streamsAreRelayedAsServerSentEventsWithProxyFriendlyHeaders() throws Exception {
        String id = register(acmeKey);
        HttpResponse<String> response = send("POST", "/v1/instances/" + id + "/session/user-42/responses", acmeKey,
                "{\"input\":\"hi\",\"stream\":true}");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/event-stream"));
        assertThat(response.headers().firstValue("Cache-Control")).contains("no-cache");
        assertThat(response.headers().firstValue("X-Accel-Buffering")).contains("no");
        assertThat(response.headers().firstValue("Content-Encoding")).isEmpty();
        assertThat(response.body()).isEqualTo(String.join("", RecordingGateway.EVENTS));
        assertThat(gateway.lastStreamClosed).isTrue();
        assertThat(gateway.calls.getLast().request().stream()).isTrue();
    }

    @Test
    void aStreamThatFailsAfterItBeganEndsWithResponseFailedThenDone() throws Exception {
        String id = register(acmeKey);
        gateway.streamFailure = new ChowderException(ErrorCode.GATEWAY_TIMEOUT, "Gateway timeout – went silent.");
        HttpResponse<String> response = send("POST", "/v1/instances/" + id + "/responses", acmeKey, "{\"input\":\"hi\",\"stream\":true}");
        assertThat(response.statusCode()).isEqualTo(200);
        String[] events = response.body().split("\n\n");
        assertThat(events).hasSize(3);
        assertThat(events[0] + "\n\n").isEqualTo(RecordingGateway.EVENTS.getFirst());
        assertThat(events[1]).startsWith("event: response.failed\ndata: ");
        JsonNode failed = JSON.readTree(events[1].substring(events[1].indexOf("data: ") + 6));
        assertThat(failed.path("type").asText()).isEqualTo("response.failed");
        assertThat(failed.path("response").path("status").asText()).isEqualTo("failed");
        assertThat(failed.path("response").path("error").path("message").asText()).isEqualTo("Gateway timeout – went silent.");
        assertThat(events[2]).isEqualTo("data: [DONE]");
        assertThat(gateway.lastStreamClosed).isTrue();
    }

    @Test
    void aStreamThatFailsBeforeItBeganIsAnOrdinaryJsonError() throws Exception {
        String id = register(acmeKey);
        gateway.failure = new ChowderException(ErrorCode.GATEWAY_UNAVAILABLE, "Gateway unavailable – refused.");
        HttpResponse<String> response = send("POST", "/v1/instances/" + id + "/responses", acmeKey, "{\"input\":\"hi\",\"stream\":true}");
        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(JSON.readTree(response.body()).path("detail").path("error").asText()).isEqualTo("Gateway unavailable – refused.");
    }

    @Test
    void unexpectedFailuresAreAGeneric500() throws Exception {
        String id = register(acmeKey);
        gateway.failure = new IllegalStateException("internal detail that must not leak");
        HttpResponse<String> response = send("POST", "/v1/instances/" + id + "/responses", acmeKey, "{\"input\":\"hi\"}");
        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(detail(response)).isEqualTo("Internal server error.");
    }

    @Test
    void healthAndReadinessNeedNoKeyAndReadinessFollowsTheStore() throws Exception {
        assertThat(send("GET", "/healthz", null, null).body()).isEqualTo("{\"status\":\"live\"}");
        assertThat(send("GET", "/readyz", null, null).statusCode()).isEqualTo(200);
        ready = false;
        HttpResponse<String> notReady = send("GET", "/readyz", null, null);
        assertThat(notReady.statusCode()).isEqualTo(503);
        assertThat(detail(notReady)).isEqualTo("Not ready: the database is unreachable.");
        assertThat(send("GET", "/healthz", null, null).statusCode()).isEqualTo(200);
    }

    @Test
    void unknownRoutesAreJson404s() throws Exception {
        HttpResponse<String> response = send("GET", "/v1/nothing-here", acmeKey, null);
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(detail(response)).startsWith("Not found");
    }

    private String register(String key) throws Exception {
        HttpResponse<String> created = send("POST", "/v1/instances", key,
                "{\"name\":\"bot\",\"gateway_url\":\"http://127.0.0.1:18789\",\"gateway_token\":\"t\"}");
        return JSON.readTree(created.body()).path("id").asText();
    }

    @Test
    void theOrganizationShowsTheProvidersItHoldsKeysForAndNeverAKey() throws Exception {
        HttpResponse<String> patched = send("PATCH", "/v1/organization", acmeKey,
                "{\"model_api_keys\": {\"openai\": \"sk-acme-openai-secret\", \"anthropic\": \"sk-acme-anthropic-secret\"}}");
        assertThat(patched.statusCode()).isEqualTo(200);
        assertThat(patched.body()).doesNotContain("secret");
        JsonNode organization = JSON.readTree(send("PATCH", "/v1/organization", acmeKey, "{\"name\": \"Acme Corp\", \"model_api_keys\": {\"openai\": \"\"}}").body());
        assertThat(organization.path("name").asText()).isEqualTo("Acme Corp");
        assertThat(organization.path("model_providers").toString()).isEqualTo("[\"anthropic\"]");
        assertThat(organization.path("subscription_tier").asText()).isEqualTo("self-hosted");
        assertThat(organization.path("instance_limit").asInt()).isEqualTo(3);
        assertThat(organization.path("instance_count").asInt()).isZero();
        assertThat(organization.path("limits").toString()).isEqualTo("{\"tokens_per_day\":null,\"tokens_per_month\":null,\"requests_per_minute\":null}");
        assertThat(JSON.readTree(send("GET", "/v1/organization", globexKey, null).body()).path("model_providers").size()).isZero();

        HttpResponse<String> unknown = send("PATCH", "/v1/organization", acmeKey, "{\"model_api_keys\": {\"mistral\": \"sk-mistral-secret\"}}");
        assertThat(unknown.statusCode()).isEqualTo(422);
        assertThat(detail(unknown)).startsWith("model_api_keys: unknown provider 'mistral'").doesNotContain("secret");
        assertThat(send("PATCH", "/v1/organization", acmeKey, "{\"model_api_keys\": {\"openai\": 42}}").statusCode()).isEqualTo(422);
        assertThat(send("PATCH", "/v1/organization", acmeKey, "{\"model_api_keys\": [\"sk\"]}").statusCode()).isEqualTo(422);

        send("POST", "/v1/instances", acmeKey, "{\"name\": \"bot\", \"gateway_url\": \"http://10.1.1.1:1\", \"gateway_token\": \"t\"}");
        JsonNode subscription = JSON.readTree(send("GET", "/v1/subscription", acmeKey, null).body());
        assertThat(subscription.toString()).isEqualTo("{\"tier\":\"self-hosted\",\"instance_limit\":3,\"instance_count\":1,"
                + "\"stripe_customer_id\":null,\"stripe_subscription_id\":null}");
        for (String billing : List.of("/v1/subscription/checkout", "/v1/subscription/portal")) {
            HttpResponse<String> answer = send("POST", billing, acmeKey, "{}");
            assertThat(answer.statusCode()).isEqualTo(404);
            assertThat(detail(answer)).startsWith("Billing is not enabled on this Chowder");
            assertThat(send("POST", billing, null, "{}").statusCode()).isEqualTo(401);
        }
    }

    @Test
    void keyAndSessionLimitsAreSetByTheOrganizationAndASpentRateIs429WithRetryAfter() throws Exception {
        String instance = JSON.readTree(send("POST", "/v1/instances", acmeKey,
                "{\"name\": \"bot\", \"gateway_url\": \"http://10.1.1.1:1\", \"gateway_token\": \"t\"}").body()).path("id").asText();
        JsonNode created = JSON.readTree(send("POST", "/v1/keys", acmeKey, "{\"name\": \"support\", \"instance_ids\": [\"" + instance
                + "\"], \"permissions\": [\"interact\"]}").body());
        String keyId = created.path("id").asText();
        String scoped = created.path("raw_key").asText();

        HttpResponse<String> set = send("PUT", "/v1/keys/" + keyId + "/limits", acmeKey, "{\"requests_per_minute\": 1, \"tokens_per_day\": null}");
        assertThat(set.statusCode()).as(set.body()).isEqualTo(200);
        assertThat(JSON.readTree(send("GET", "/v1/keys/" + keyId + "/limits", acmeKey, null).body()).toString())
                .isEqualTo("{\"key_id\":\"" + keyId + "\",\"tokens_per_day\":null,\"tokens_per_month\":null,\"requests_per_minute\":1}");
        String message = "{\"model\": \"m\", \"input\": \"hi\"}";
        assertThat(send("POST", "/v1/instances/" + instance + "/responses", scoped, message).statusCode()).isEqualTo(200);
        HttpResponse<String> limited = send("POST", "/v1/instances/" + instance + "/responses", scoped, message);
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(detail(limited)).startsWith("Rate limit exceeded: this key's requests_per_minute (1) is used up; retry in ");
        assertThat(limited.headers().firstValue("Retry-After")).hasValueSatisfying(seconds -> assertThat(Long.parseLong(seconds)).isPositive());
        assertThat(send("POST", "/v1/instances/" + instance + "/responses", acmeKey, message).statusCode()).isEqualTo(200);

        assertThat(send("PUT", "/v1/keys/" + keyId + "/limits", acmeKey, "{\"tokens_per_day\": 0}").statusCode()).isEqualTo(422);
        // Beyond a billion a minute the shared counters cannot refill the allowance: every turn of the key was a 500.
        HttpResponse<String> tooFast = send("PUT", "/v1/keys/" + keyId + "/limits", acmeKey, "{\"requests_per_minute\": 60000000001}");
        assertThat(tooFast.statusCode()).isEqualTo(422);
        assertThat(detail(tooFast)).isEqualTo("requests_per_minute must be a whole number from 1 to 1000000000 (or null for no limit).");
        assertThat(send("PUT", "/v1/keys/" + keyId + "/limits", acmeKey, "{\"requests_per_minute\": 1000000000}").statusCode()).isEqualTo(200);
        assertThat(detail(send("PUT", "/v1/keys/" + keyId + "/limits", acmeKey, "{\"tokens\": 5}"))).contains("tokens is not a limit");
        assertThat(send("PUT", "/v1/keys/" + keyId + "/limits", scoped, "{}").statusCode()).isEqualTo(403);
        assertThat(send("PUT", "/v1/keys/" + keyId + "/limits", globexKey, "{}").statusCode()).isEqualTo(404);

        HttpResponse<String> rules = send("PUT", "/v1/instances/" + instance + "/session-limits", acmeKey,
                "{\"rules\": [{\"session_prefix\": \"user-\", \"tokens_per_month\": 5000}, {\"requests_per_minute\": 30}]}");
        assertThat(rules.statusCode()).as(rules.body()).isEqualTo(200);
        JsonNode read = JSON.readTree(send("GET", "/v1/instances/" + instance + "/session-limits", acmeKey, null).body());
        assertThat(read.path("rules")).hasSize(2);
        assertThat(detail(send("PUT", "/v1/instances/" + instance + "/session-limits", acmeKey, "{\"rules\": [{\"session_prefix\": \"x\"}]}")))
                .contains("needs tokens_per_day, tokens_per_month or requests_per_minute");
        assertThat(send("PUT", "/v1/instances/" + instance + "/session-limits", acmeKey, "{}").statusCode()).isEqualTo(422);
        assertThat(send("GET", "/v1/instances/" + instance + "/session-limits", globexKey, null).statusCode()).isEqualTo(404);
        assertThat(send("GET", "/v1/instances/" + instance + "/session-limits", scoped, null).statusCode()).isEqualTo(403);

        JsonNode usage = JSON.readTree(send("GET", "/v1/instances/" + instance + "/usage", acmeKey, null).body());
        assertThat(usage.path("model").toString()).isEqualTo("{\"requests\":0,\"input_tokens\":0,\"output_tokens\":0,"
                + "\"cached_input_tokens\":0,\"total_tokens\":0,\"by_provider\":[]}");
    }

    private HttpResponse<String> send(String method, String path, String key, String body) throws Exception {
        return RoutesHarness.send(client, server.port(), method, path, key, body);
    }

    /** A POST with Acme's key whose body has no declared length (sent in chunks). */
    private HttpResponse<String> sendChunked(String path, byte[] body) throws Exception {
        return client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + server.port() + path))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(body)))
                .header("Authorization", "Bearer " + acmeKey).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String detail(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body()).path("detail").asText();
    }
}
