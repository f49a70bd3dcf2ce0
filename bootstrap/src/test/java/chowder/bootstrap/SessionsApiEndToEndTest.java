package chowder.bootstrap;

import static chowder.bootstrap.RunningChowder.JSON;
import static org.assertj.core.api.Assertions.assertThat;

import chowder.testing.FakeOpenClawGateway;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.SqlLogger;
import org.jdbi.v3.core.statement.SqlStatements;
import org.jdbi.v3.core.statement.StatementContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sessions extension through the real server, store and gateway client. */
class SessionsApiEndToEndTest {
    @TempDir
    Path dataDir;

    @Test
    void sessionsAreListedInspectedResetAndDeleted() throws Exception {
        try (FakeOpenClawGateway gateway = FakeOpenClawGateway.start("t"); RunningChowder chowder = new RunningChowder(dataDir, Map.of())) {
            String key = chowder.createOrganization("Acme").path("api_key").asText();
            String instance = chowder.registerInstance(key, gateway.baseUrl(), "t");
            String base = "/v1/instances/" + instance;
            chowder.send("POST", base + "/session/user-42/responses", key, "{\"input\":\"first\"}");
            chowder.send("POST", base + "/session/user-42/responses", key, "{\"input\":\"second\"}");
            chowder.send("POST", base + "/session/a%2Fb/responses", key, "{\"input\":\"slash\"}");
            chowder.send("POST", base + "/responses", key, "{\"input\":\"main\"}");

            JsonNode record = JSON.readTree(chowder.send("GET", base + "/session/user-42", key, null).body());
            assertThat(record.path("turns").asInt()).isEqualTo(2);
            assertThat(record.path("input_tokens").asInt()).isEqualTo(20);
            assertThat(record.path("generation").asInt()).isZero();
            assertThat(JSON.readTree(chowder.send("GET", base + "/session/a%2Fb", key, null).body()).path("session_id").asText()).isEqualTo("a/b");
            assertThat(chowder.send("GET", base + "/session/never", key, null).statusCode()).isEqualTo(404);

            JsonNode list = JSON.readTree(chowder.send("GET", base + "/sessions", key, null).body());
            assertThat(list.path("sessions").findValuesAsText("session_id")).containsExactly("main", "a/b", "user-42");
            assertThat(list.path("next_cursor").isNull()).isTrue();
            JsonNode firstPage = JSON.readTree(chowder.send("GET", base + "/sessions?limit=2", key, null).body());
            String cursor = firstPage.path("next_cursor").asText();
            JsonNode secondPage = JSON.readTree(chowder.send("GET", base + "/sessions?limit=2&after=" + cursor, key, null).body());
            assertThat(secondPage.path("sessions").findValuesAsText("session_id")).containsExactly("user-42");
            assertThat(JSON.readTree(chowder.send("GET", base + "/sessions?prefix=user", key, null).body()).path("sessions")
                    .findValuesAsText("session_id")).containsExactly("user-42");
            assertThat(chowder.send("GET", base + "/sessions?limit=0", key, null).statusCode()).isEqualTo(400);

            HttpResponse<String> reset = chowder.send("POST", base + "/session/user-42/reset", key, null);
            assertThat(JSON.readTree(reset.body()).path("generation").asInt()).isEqualTo(1);
            HttpResponse<String> afterReset = chowder.send("POST", base + "/session/user-42/responses", key, "{\"input\":\"fresh\"}");
            assertThat(FakeOpenClawGateway.outputText(afterReset.body())).isEqualTo("turns=1 first=fresh instructions=-");

            assertThat(chowder.send("DELETE", base + "/session/user-42", key, null).statusCode()).isEqualTo(204);
            assertThat(gateway.hasSession("agent:main:chowder-1-user-42")).as("deleted on the gateway too").isFalse();
            assertThat(chowder.send("GET", base + "/session/user-42", key, null).statusCode()).isEqualTo(404);
            HttpResponse<String> reused = chowder.send("POST", base + "/session/user-42/responses", key, "{\"input\":\"again\"}");
            assertThat(FakeOpenClawGateway.outputText(reused.body())).isEqualTo("turns=1 first=again instructions=-");

            JsonNode usage = JSON.readTree(chowder.send("GET", base + "/usage", key, null).body());
            assertThat(usage.path("turns").asInt()).isEqualTo(6);
            assertThat(usage.path("total_tokens").asInt()).isEqualTo(90);
            assertThat(usage.path("by_key")).hasSize(1);
            assertThat(chowder.send("GET", base + "/usage?from=yesterday", key, null).statusCode()).isEqualTo(400);

            // The daily series over the real store: two UTC days that hold all six turns (today's, unless midnight passed).
            java.time.Instant today = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.DAYS);
            JsonNode daily = JSON.readTree(chowder.send("GET", base + "/usage?interval=day&from=" + today.minus(java.time.Duration.ofDays(1))
                    + "&to=" + today.plus(java.time.Duration.ofDays(1)), key, null).body());
            assertThat(daily.path("series")).hasSize(2);
            assertThat(daily.path("series").get(0).path("turns").asInt() + daily.path("series").get(1).path("turns").asInt()).isEqualTo(6);
            assertThat(daily.path("series").get(1).path("from").asText()).isEqualTo(today.toString());
        }
    }

    @Test
    void sessionBoundAndReadOnlyKeysSeeAndChangeOnlyWhatTheyMay() throws Exception {
        try (FakeOpenClawGateway gateway = FakeOpenClawGateway.start("t"); RunningChowder chowder = new RunningChowder(dataDir, Map.of())) {
            String org = chowder.createOrganization("Acme").path("api_key").asText();
            String instance = chowder.registerInstance(org, gateway.baseUrl(), "t");
            String base = "/v1/instances/" + instance;
            for (String session : List.of("user-42/a", "user-42/b", "user-43/a")) {
                chowder.send("POST", base + "/session/" + session.replace("/", "%2F") + "/responses", org, "{\"input\":\"x\"}");
            }
            String bound = scopedKey(chowder, org, instance, "[\"read\",\"interact\"]", ",\"session_prefix\":\"user-42/\"");
            String readOnly = scopedKey(chowder, org, instance, "[\"read\"]", "");
            assertThat(JSON.readTree(chowder.send("GET", base + "/sessions", bound, null).body()).path("sessions").findValuesAsText("session_id"))
                    .containsExactlyInAnyOrder("user-42/a", "user-42/b");
            assertThat(chowder.send("GET", base + "/session/user-43%2Fa", bound, null).statusCode()).isEqualTo(403);
            JsonNode firstPage = JSON.readTree(chowder.send("GET", base + "/sessions?limit=1", bound, null).body());
            JsonNode secondPage = JSON.readTree(chowder.send("GET", base + "/sessions?limit=1&after=" + firstPage.path("next_cursor").asText(),
                    bound, null).body());
            assertThat(List.of(firstPage.path("sessions").get(0).path("session_id").asText(), secondPage.path("sessions").get(0).path("session_id").asText()))
                    .as("no session of the key is lost between pages").containsExactlyInAnyOrder("user-42/a", "user-42/b");
            assertThat(secondPage.path("next_cursor").isNull()).isTrue();
            assertThat(chowder.send("GET", base + "/usage", bound, null).statusCode()).isEqualTo(403);
            assertThat(chowder.send("POST", base + "/session/user-43%2Fa/reset", bound, null).statusCode()).isEqualTo(403);
            assertThat(chowder.send("POST", base + "/session/user-42%2Fa/reset", bound, null).statusCode()).isEqualTo(200);
            assertThat(chowder.send("GET", base + "/sessions", readOnly, null).statusCode()).isEqualTo(200);
            assertThat(chowder.send("DELETE", base + "/session/user-42%2Fb", readOnly, null).statusCode()).isEqualTo(403);
            String foreign = chowder.createOrganization("Globex").path("api_key").asText();
            assertThat(chowder.send("GET", base + "/sessions", foreign, null).statusCode()).isEqualTo(404);
        }
    }

    @Test
    void aKeyBoundToSessionsListsOnlyItsOwnWithOneQueryPerPageAmongThousands() throws Exception {
        try (FakeOpenClawGateway gateway = FakeOpenClawGateway.start("t"); RunningChowder chowder = new RunningChowder(dataDir, Map.of())) {
            String org = chowder.createOrganization("Acme").path("api_key").asText();
            String instance = chowder.registerInstance(org, gateway.baseUrl(), "t");
            String base = "/v1/instances/" + instance;
            // 3,000 sessions of other users; the key's five are spread among them in activity order.
            List<String> owned = List.of("user-42/a", "user-42/b", "user-42/c", "user-42/d", "user-7/shared");
            Jdbi jdbi = chowder.component(Jdbi.class);
            Instant start = Instant.parse("2026-11-01T00:00:00Z");
            jdbi.useHandle(handle -> {
                var insert = handle.prepareBatch("""
                        INSERT INTO sessions (instance_id, session_id, generation, deleted, created_at, last_used_at, turns, input_tokens,
                            output_tokens) VALUES (?, ?, 0, FALSE, ?, ?, 0, 0, 0)""");
                for (int n = 0; n < 3_000; n++) {
                    String id = n % 600 == 300 ? owned.get(n / 600) : "user-" + (1_000 + n) + "/chat";
                    insert.add(UUID.fromString(instance), id, Timestamp.from(start), Timestamp.from(start.plusSeconds(n)));
                }
                insert.execute();
            });
            String bound = scopedKey(chowder, org, instance, "[\"read\"]",
                    ",\"session_prefix\":\"user-42/\",\"session_ids\":[\"user-7/shared\",\"never-used\"]");
            String ownsNothing = scopedKey(chowder, org, instance, "[\"read\"]", ",\"session_prefix\":\"nobody/\"");
            AtomicInteger listings = new AtomicInteger();
            jdbi.getConfig(SqlStatements.class).setSqlLogger(new SqlLogger() {
                @Override
                public void logAfterExecution(StatementContext context) {
                    String sql = context.getRenderedSql();
                    if (sql.contains("sessions") && sql.contains("ORDER BY")) {
                        listings.incrementAndGet();
                    }
                }
            });

            List<String> seen = new ArrayList<>();
            String after = "";
            int pages = 0;
            do {
                listings.set(0);
                JsonNode page = JSON.readTree(chowder.send("GET", base + "/sessions?limit=2" + after, bound, null).body());
                assertThat(listings.get()).as("listing statements for page %d", pages + 1).isEqualTo(1);
                seen.addAll(page.path("sessions").findValuesAsText("session_id"));
                after = page.path("next_cursor").isNull() ? null : "&after=" + page.path("next_cursor").asText();
                pages++;
            } while (after != null);
            assertThat(seen).as("newest first, nothing but the key's").containsExactly("user-7/shared", "user-42/d", "user-42/c", "user-42/b",
                    "user-42/a");
            assertThat(pages).isEqualTo(3);

            listings.set(0);
            HttpResponse<String> nothing = chowder.send("GET", base + "/sessions?limit=1", ownsNothing, null);
            assertThat(JSON.readTree(nothing.body()).path("sessions")).isEmpty();
            assertThat(JSON.readTree(nothing.body()).path("next_cursor").isNull()).isTrue();
            assertThat(listings.get()).isEqualTo(1);
            assertThat(JSON.readTree(chowder.send("GET", base + "/sessions?limit=10&prefix=user-42/c", bound, null).body()).path("sessions")
                    .findValuesAsText("session_id")).containsExactly("user-42/c");
            assertThat(JSON.readTree(chowder.send("GET", base + "/sessions?limit=1", org, null).body()).path("sessions")
                    .findValuesAsText("session_id")).as("an organization key still sees every session").containsExactly("user-3999/chat");
        }
    }

    private static String scopedKey(RunningChowder chowder, String org, String instance, String permissions, String extra) throws Exception {
        HttpResponse<String> created = chowder.send("POST", "/v1/keys", org,
                "{\"name\":\"k\",\"instance_ids\":[\"" + instance + "\"],\"permissions\":" + permissions + extra + "}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return JSON.readTree(created.body()).path("raw_key").asText();
    }
}
