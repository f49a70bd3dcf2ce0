package chowder.adapter.http.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import chowder.adapter.http.ApiTest;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** GET /v1/instances/{id}/usage?interval=day: the daily series beside the totals. */
class UsageSeriesRoutesTest extends ApiTest {
    @Test
    void aDailySeriesHasEveryUtcDayOfTheWindowWithItsKeysAndAddsUpToTheTotals() throws Exception {
        String instance = register(acmeKey);
        for (int i = 0; i < 2; i++) {
            assertThat(send("POST", "/v1/instances/" + instance + "/responses", acmeKey, "{\"model\":\"openclaw\",\"input\":\"hi\"}")
                    .statusCode()).isEqualTo(200);
        }
        Instant today = Instant.now().truncatedTo(ChronoUnit.DAYS);
        Instant from = today.minus(2, ChronoUnit.DAYS);
        Instant to = today.plus(1, ChronoUnit.DAYS);
        HttpResponse<String> answer = send("GET", "/v1/instances/" + instance + "/usage?interval=day&from=" + from + "&to=" + to, acmeKey, null);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        JsonNode usage = JSON.readTree(answer.body());

        JsonNode series = usage.path("series");
        List<String> starts = new ArrayList<>();
        series.forEach(day -> starts.add(day.path("from").asText()));
        assertThat(starts).containsExactly(from.toString(), from.plus(1, ChronoUnit.DAYS).toString(), today.toString());
        assertThat(series.get(2).path("to").asText()).isEqualTo(to.toString());
        assertThat(series.get(0).path("turns").asInt()).as("a day without usage is there, with zeros").isZero();
        assertThat(series.get(0).path("total_tokens").asInt()).isZero();
        assertThat(series.get(0).path("by_key")).isEmpty();
        JsonNode lastDay = series.get(2);
        assertThat(lastDay.path("turns").asInt()).isEqualTo(2);
        assertThat(lastDay.path("total_tokens").asInt()).isEqualTo(usage.path("total_tokens").asInt()).isPositive();
        assertThat(lastDay.path("input_tokens").asInt() + lastDay.path("output_tokens").asInt()).isEqualTo(lastDay.path("total_tokens").asInt());
        assertThat(lastDay.path("by_key")).singleElement().satisfies(key -> {
            assertThat(key.path("key_id").asText()).isEqualTo(usage.path("by_key").get(0).path("key_id").asText());
            assertThat(key.path("turns").asInt()).isEqualTo(2);
        });
    }

    @Test
    void withoutAnIntervalThereIsNoSeries() throws Exception {
        String instance = register(acmeKey);
        JsonNode usage = JSON.readTree(send("GET", "/v1/instances/" + instance + "/usage", acmeKey, null).body());
        assertThat(usage.has("series")).isFalse();
        assertThat(usage.has("by_key")).isTrue();
    }

    @Test
    void theDefaultWindowIsCutIntoDaysThatFollowEachOther() throws Exception {
        String instance = register(acmeKey);
        JsonNode usage = JSON.readTree(send("GET", "/v1/instances/" + instance + "/usage?interval=day", acmeKey, null).body());
        JsonNode series = usage.path("series");
        // Thirty days back from now: a partial first day, 29 whole ones, a partial last (30 days only at midnight sharp).
        assertThat(series.size()).isBetween(30, 31);
        assertThat(series.get(0).path("from").asText()).isEqualTo(usage.path("from").asText());
        assertThat(series.get(series.size() - 1).path("to").asText()).isEqualTo(usage.path("to").asText());
        for (int i = 1; i < series.size(); i++) {
            assertThat(series.get(i).path("from").asText()).isEqualTo(series.get(i - 1).path("to").asText()).endsWith("T00:00:00Z");
        }
    }

    @Test
    void anUnknownIntervalOrAWindowOverNinetyTwoDaysIsABadRequestThatSaysWhy() throws Exception {
        String instance = register(acmeKey);
        String base = "/v1/instances/" + instance + "/usage?";
        HttpResponse<String> week = send("GET", base + "interval=week", acmeKey, null);
        assertThat(week.statusCode()).isEqualTo(400);
        assertThat(detail(week)).isEqualTo("interval must be day (the only interval there is), or left out for totals only.");

        HttpResponse<String> quarter = send("GET", base + "interval=day&from=2026-01-01T00:00:00Z&to=2026-04-03T00:00:00Z", acmeKey, null);
        assertThat(quarter.statusCode()).as(quarter.body()).isEqualTo(200);
        assertThat(JSON.readTree(quarter.body()).path("series")).hasSize(92);
        HttpResponse<String> tooLong = send("GET", base + "interval=day&from=2026-01-01T00:00:00Z&to=2026-04-04T00:00:00Z", acmeKey, null);
        assertThat(tooLong.statusCode()).isEqualTo(400);
        assertThat(detail(tooLong)).isEqualTo("interval=day covers at most 92 days; this window touches 93 (UTC days): ask for a shorter one.");
        HttpResponse<String> ages = send("GET", base + "interval=day&from=0001-01-01T00:00:00Z&to=9999-01-01T00:00:00Z", acmeKey, null);
        assertThat(ages.statusCode()).isEqualTo(400);

        for (String window : new String[] {"interval=day&from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z",
                "from=2026-01-01T00:00:00Z&to=2026-01-01T00:00:00Z"}) {
            HttpResponse<String> backwards = send("GET", base + window, acmeKey, null);
            assertThat(backwards.statusCode()).as(window).isEqualTo(400);
            assertThat(detail(backwards)).isEqualTo("from must be before to.");
        }
        assertThat(send("GET", base + "interval=day&from=yesterday", acmeKey, null).statusCode()).isEqualTo(400);
    }

    @Test
    void anotherOrganizationsInstanceIsNotFound() throws Exception {
        String instance = register(acmeKey);
        HttpResponse<String> answer = send("GET", "/v1/instances/" + instance + "/usage?interval=day", globexKey, null);
        assertThat(answer.statusCode()).isEqualTo(404);
        assertThat(detail(answer)).isEqualTo("Instance not found.");
    }

    @Test
    void aWindowEndOutsideYears1To9999IsABadRequestNotADatabaseError() throws Exception {
        String instance = register(acmeKey);
        String base = "/v1/instances/" + instance + "/usage?";
        // Years a database cannot store (PostgreSQL's timestamps end at 4713 BC and 294276 AD), and year 0.
        for (String query : new String[] {"from=-999999999-01-01T00:00:00Z", "to=%2B999999999-12-31T23:59:59Z",
                "from=0000-12-31T00:00:00Z&to=2026-01-01T00:00:00Z", "from=2026-01-01T00:00:00Z&to=%2B10000-01-01T00:00:00Z",
                "interval=day&from=-999999999-01-01T00:00:00Z", "to=9999-12-31T23:00:00-05:00"}) {
            HttpResponse<String> refused = send("GET", base + query, acmeKey, null);
            assertThat(refused.statusCode()).as(query + " " + refused.body()).isEqualTo(400);
            assertThat(detail(refused)).as(query).matches("(from|to) must be from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999999Z "
                    + "\\(years 1 to 9999, UTC\\)\\.");
        }
        HttpResponse<String> edges = send("GET", base + "from=0001-01-01T00:00:00Z&to=9999-12-31T23:59:59.999Z", acmeKey, null);
        assertThat(edges.statusCode()).as(edges.body()).isEqualTo(200);
        assertThat(JSON.readTree(edges.body()).path("from").asText()).isEqualTo("0001-01-01T00:00:00Z");
    }
}
