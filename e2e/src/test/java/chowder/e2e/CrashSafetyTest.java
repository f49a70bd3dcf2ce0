package chowder.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import chowder.testing.FakeOpenClawGateway;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Crash safety (issue #9): Chowder runs from its jar while concurrent clients write through the API, and is
 * killed with SIGKILL at a random moment, three times. After each kill it is started again on the same data
 * directory (H2, default URL) or schema (PostgreSQL), and everything that had been acknowledged with a 2xx
 * before the kill must be there: keys usable or revoked, instances present and stopped as answered, sessions
 * whose first answer was returned listed and shown. A write whose answer never arrived may or may not have
 * happened; the state found after the restart becomes the expectation from then on.
 */
@Timeout(300)
class CrashSafetyTest {
    private static final String POSTGRES = System.getenv().getOrDefault("CHOWDER_TEST_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:5432/test");
    private static final int CLIENTS = 16;
    private static final int ROUNDS = 3;
    private static final int SIGKILL_STATUS = 128 + 9;
    private static final String SESSION_BODY = "{\"model\": \"openclaw\", \"input\": \"remember me\"}";

    private enum KeyState { ACTIVE, REVOKING, REVOKED }

    private enum InstanceState { LIVE, STOPPING, STOPPED }

    private final Map<String, String> rawKeys = new ConcurrentHashMap<>();
    private final Map<String, KeyState> keys = new ConcurrentHashMap<>();
    private final Queue<String> revocable = new ConcurrentLinkedQueue<>();
    private final Map<String, InstanceState> instances = new ConcurrentHashMap<>();
    private final Queue<String> stoppable = new ConcurrentLinkedQueue<>();
    private final Set<String> sessions = ConcurrentHashMap.newKeySet();
    private final AtomicInteger sessionNumbers = new AtomicInteger();
    private FakeOpenClawGateway gateway;
    private ChowderProcess chowder;
    private String schema;

    @BeforeEach
    void startGateway() {
        gateway = FakeOpenClawGateway.start("crash-test-gateway-token");
    }

    @AfterEach
    void stopEverything() throws SQLException {
        if (chowder != null) {
            chowder.stop();
        }
        gateway.close();
        if (schema != null) {
            executeOnPostgres("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }

    @Test
    void keepsEveryAcknowledgedWriteAcrossKillsOnH2() throws Exception {
        Path dataDirectory = SupervisedProcess.newDirectory("chowder-processes", "chowder-e2e-processes", "crash-h2-");
        survivesKills(dataDirectory, Map.of());
    }

    @Test
    void keepsEveryAcknowledgedWriteAcrossKillsOnPostgres() throws Exception {
        schema = "chowder_crash_" + UUID.randomUUID().toString().replace("-", "");
        executeOnPostgres("CREATE SCHEMA " + schema);
        Path dataDirectory = SupervisedProcess.newDirectory("chowder-processes", "chowder-e2e-processes", "crash-pg-");
        survivesKills(dataDirectory, Map.of(
                "CHOWDER_DATABASE_URL", POSTGRES + "?currentSchema=" + schema,
                "CHOWDER_DATABASE_USER", "postgres"));
    }

    private void survivesKills(Path dataDirectory, Map<String, String> database) throws Exception {
        Map<String, String> settings = new HashMap<>(database);
        settings.put("CHOWDER_SIGNUP_ENABLED", "true");
        settings.put("CHOWDER_HEALTH_PROBE_INTERVAL", "500ms");
        // Clients write as fast as the machine lets them, hundreds of keys and instances: no per-organization bound may
        // refuse the writes whose survival is checked (the bounds have tests of their own).
        settings.put("CHOWDER_MAX_INSTANCES_PER_ORG", "0");
        settings.put("CHOWDER_MAX_KEYS_PER_ORG", "1000000");
        chowder = ChowderProcess.start(dataDirectory, settings);
        ChowderApi api = new ChowderApi(chowder.baseUrl());
        HttpResponse<String> signup = api.post("/v1/organization/signup", "none", "{\"name\": \"Crash\"}");
        assertThat(signup.statusCode()).as(signup.body()).isEqualTo(201);
        String orgKey = ChowderApi.json(signup.body()).path("api_key").asText();
        String home = api.registerInstance(orgKey, "home", gateway.baseUrl(), gateway.token());

        for (int round = 1; round <= ROUNDS; round++) {
            int acknowledged = writeUntilKilled(api, orgKey, home, round);
            boolean lockFileLeft = Files.exists(dataDirectory.resolve("chowder.lock.db"));
            long restartStarted = System.nanoTime();
            chowder = ChowderProcess.start(dataDirectory, settings);
            api = new ChowderApi(chowder.baseUrl());
            System.out.printf("round %d: %d writes acknowledged before SIGKILL (%d keys, %d instances, %d sessions so far);"
                    + " H2 lock file left: %s; restarted in %d ms%n", round, acknowledged, keys.size(), instances.size(),
                    sessions.size(), lockFileLeft, Duration.ofNanos(System.nanoTime() - restartStarted).toMillis());
            assertThat(api.get("/readyz", "none").statusCode()).as("/readyz after restart").isEqualTo(200);
            everyAcknowledgedWriteIsThere(api, orgKey, home);
        }

        // The restarted server takes new writes of every kind.
        String key = createKey(api, orgKey, home);
        String instance = registerInstance(api, orgKey, "after-the-crashes");
        String session = "after-the-crashes";
        assertThat(api.post(ChowderApi.sessionResponsesPath(home, session), orgKey, SESSION_BODY).statusCode()).isEqualTo(200);
        assertThat(key).isNotNull();
        assertThat(instance).isNotNull();
        assertThat(api.send("DELETE", "/v1/keys/" + key, orgKey).statusCode()).isEqualTo(204);
        assertThat(api.send("POST", "/v1/instances/" + instance + "/stop", orgKey).statusCode()).isEqualTo(200);
        assertThat(api.get(ChowderApi.sessionPath(home, session), orgKey).statusCode()).isEqualTo(200);
    }

    /** Runs the clients, kills Chowder with SIGKILL at a random moment, and returns how many writes were answered 2xx. */
    private int writeUntilKilled(ChowderApi api, String orgKey, String home, int round) {
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger acknowledged = new AtomicInteger();
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int client = 0; client < CLIENTS; client++) {
                clients.submit(() -> {
                    while (running.get()) {
                        try {
                            if (oneWrite(api, orgKey, home, round)) {
                                acknowledged.incrementAndGet();
                            }
                        } catch (RuntimeException unanswered) {
                            // The server died under this request: its outcome is unknown, and not checked.
                        }
                    }
                });
            }
            SupervisedProcess.sleep(Duration.ofMillis(ThreadLocalRandom.current().nextLong(1_500, 3_500)));
            int status = chowder.killAbruptly();
            running.set(false);
            assertThat(status).as("exit status of Chowder after destroyForcibly (128 + SIGKILL)").isEqualTo(SIGKILL_STATUS);
        }
        assertThat(acknowledged.get()).as("writes answered before the kill").isPositive();
        return acknowledged.get();
    }

    /** One write of a random kind; true when it was acknowledged with a 2xx. */
    private boolean oneWrite(ChowderApi api, String orgKey, String home, int round) {
        int kind = ThreadLocalRandom.current().nextInt(10);
        if (kind < 3) {
            return createKey(api, orgKey, home) != null;
        }
        if (kind < 5) {
            return registerInstance(api, orgKey, "load-" + round) != null;
        }
        if (kind < 8) {
            String session = "crash/r" + round + "/" + sessionNumbers.incrementAndGet();
            if (api.post(ChowderApi.sessionResponsesPath(home, session), orgKey, SESSION_BODY).statusCode() == 200) {
                sessions.add(session);
                return true;
            }
            return false;
        }
        if (kind < 9) {
            String key = revocable.poll();
            if (key == null) {
                return false;
            }
            keys.put(key, KeyState.REVOKING);
            if (api.send("DELETE", "/v1/keys/" + key, orgKey).statusCode() == 204) {
                keys.put(key, KeyState.REVOKED);
                return true;
            }
            return false;
        }
        String instance = stoppable.poll();
        if (instance == null) {
            return false;
        }
        instances.put(instance, InstanceState.STOPPING);
        if (api.send("POST", "/v1/instances/" + instance + "/stop", orgKey).statusCode() == 200) {
            instances.put(instance, InstanceState.STOPPED);
            return true;
        }
        return false;
    }

    /** A scoped key that may read the home instance; its id once acknowledged, else null. */
    private String createKey(ChowderApi api, String orgKey, String home) {
        HttpResponse<String> created = api.post("/v1/keys", orgKey,
                "{\"name\": \"crash\", \"instance_ids\": [\"" + home + "\"], \"permissions\": [\"read\"]}");
        if (created.statusCode() != 201) {
            return null;
        }
        JsonNode key = ChowderApi.json(created.body());
        String id = key.path("id").asText();
        rawKeys.put(id, key.path("raw_key").asText());
        keys.put(id, KeyState.ACTIVE);
        revocable.add(id);
        return id;
    }

    /** An instance in front of the stub gateway; its id once acknowledged, else null. */
    private String registerInstance(ChowderApi api, String orgKey, String name) {
        String body = "{\"name\": \"" + name + "\", \"gateway_url\": \"" + gateway.baseUrl() + "\", \"gateway_token\": \""
                + gateway.token() + "\"}";
        HttpResponse<String> registered = api.post("/v1/instances", orgKey, body);
        if (registered.statusCode() != 201) {
            return null;
        }
        String id = ChowderApi.json(registered.body()).path("id").asText();
        instances.put(id, InstanceState.LIVE);
        stoppable.add(id);
        return id;
    }

    private void everyAcknowledgedWriteIsThere(ChowderApi api, String orgKey, String home) {
        SoftAssertions softly = new SoftAssertions();
        keys.forEach((id, expected) -> {
            HttpResponse<String> key = api.get("/v1/keys/" + id, orgKey);
            softly.assertThat(key.statusCode()).as("GET /v1/keys/%s (%s)", id, expected).isEqualTo(200);
            boolean active = ChowderApi.json(key.body()).path("is_active").asBoolean();
            int use = api.get("/v1/instances/" + home, rawKeys.get(id)).statusCode();
            softly.assertThat(use).as("key %s, is_active %s, used", id, active).isEqualTo(active ? 200 : 401);
            if (expected == KeyState.REVOKING) {
                keys.put(id, active ? KeyState.ACTIVE : KeyState.REVOKED);
                if (active) {
                    revocable.add(id);
                }
            } else {
                softly.assertThat(active).as("key %s acknowledged %s", id, expected).isEqualTo(expected == KeyState.ACTIVE);
            }
        });
        instances.forEach((id, expected) -> {
            HttpResponse<String> instance = api.get("/v1/instances/" + id, orgKey);
            softly.assertThat(instance.statusCode()).as("GET /v1/instances/%s (%s)", id, expected).isEqualTo(200);
            boolean stopped = ChowderApi.json(instance.body()).path("status").asText().equals("stopped");
            if (expected == InstanceState.STOPPING) {
                instances.put(id, stopped ? InstanceState.STOPPED : InstanceState.LIVE);
                if (!stopped) {
                    stoppable.add(id);
                }
            } else {
                softly.assertThat(stopped).as("instance %s acknowledged %s: %s", id, expected, instance.body())
                        .isEqualTo(expected == InstanceState.STOPPED);
            }
        });
        Set<String> listed = listSessions(api, orgKey, home);
        softly.assertThat(listed).as("sessions listed").containsAll(sessions);
        for (String session : sessions) {
            HttpResponse<String> shown = api.get(ChowderApi.sessionPath(home, session), orgKey);
            softly.assertThat(shown.statusCode()).as("GET session %s", session).isEqualTo(200);
            softly.assertThat(ChowderApi.json(shown.body()).path("session_id").asText()).isEqualTo(session);
        }
        softly.assertAll();
    }

    private static Set<String> listSessions(ChowderApi api, String orgKey, String home) {
        Set<String> listed = new HashSet<>();
        String cursor = null;
        do {
            String query = "?limit=1000" + (cursor == null ? "" : "&after=" + ChowderApi.encodeSegment(cursor));
            HttpResponse<String> page = api.get("/v1/instances/" + home + "/sessions" + query, orgKey);
            assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
            JsonNode answer = ChowderApi.json(page.body());
            answer.path("sessions").forEach(session -> listed.add(session.path("session_id").asText()));
            cursor = answer.path("next_cursor").isTextual() ? answer.path("next_cursor").asText() : null;
        } while (cursor != null);
        return listed;
    }

    private static void executeOnPostgres(String sql) throws SQLException {
        try (Connection connection = DriverManager.getConnection(POSTGRES, "postgres", "")) {
            connection.createStatement().execute(sql);
        }
    }
}
