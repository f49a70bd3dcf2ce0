package chowder.adapter.http.observability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The access log line is written by hand: it must be one JSON object whatever its strings hold, with the fields as documented. */
class AccessLogTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @RegisterExtension
    final AccessLines lines = new AccessLines();

    @Test
    void everyFieldReadsBackAsWrittenAndStringsAreEscaped() throws Exception {
        String awkward = "a\"b\\c\n\u0001é/😀";
        Instant at = Instant.parse("2026-12-05T17:30:01.123456789Z");
        new AccessLog().write(new AccessLog.Entry(at, awkward, "POST", "/v1/instances/{id}/responses", 201, 1_234_567,
                "org-1", "inst-2", 130));

        String line = lines.text().getFirst();
        assertThat(line).doesNotContain("\n").doesNotContain("\u0001");
        JsonNode read = JSON.readTree(line);
        assertThat(read.path("ts").asText()).isEqualTo(at.toString());
        assertThat(read.path("request_id").asText()).isEqualTo(awkward);
        assertThat(read.path("method").asText()).isEqualTo("POST");
        assertThat(read.path("route").asText()).isEqualTo("/v1/instances/{id}/responses");
        assertThat(read.path("status").asInt()).isEqualTo(201);
        assertThat(read.path("duration_ms").asDouble()).isEqualTo(1.23);
        assertThat(read.path("organization_id").asText()).isEqualTo("org-1");
        assertThat(read.path("instance_id").asText()).isEqualTo("inst-2");
        assertThat(read.path("request_bytes").asLong()).isEqualTo(130);
    }

    @Test
    void theTimestampIsWrittenAsInstantWritesIt() throws Exception {
        AccessLog log = new AccessLog();
        java.util.List<Instant> instants = java.util.List.of(Instant.parse("2026-12-05T17:30:01Z"), Instant.parse("2026-12-05T17:30:01.5Z"),
                Instant.parse("2026-12-05T17:30:01.000001Z"), Instant.parse("2026-12-05T17:30:01.000000001Z"),
                Instant.parse("2026-12-05T17:30:02.120Z"), Instant.parse("2026-12-05T17:30:02.123450Z"), Instant.parse("1999-12-31T23:59:59.999999999Z"),
                Instant.parse("+12026-01-01T00:00:00.010Z"), Instant.EPOCH.minusNanos(1), Instant.now());
        for (Instant at : instants) {
            log.write(new AccessLog.Entry(at, "id", "GET", "/", 200, 0, null, null, -1));
        }
        for (int i = 0; i < instants.size(); i++) {
            assertThat(JSON.readTree(lines.text().get(i)).path("ts").asText()).isEqualTo(instants.get(i).toString());
        }
    }

    @Test
    void unknownCallerInstanceAndLengthAreLeftOut() throws Exception {
        new AccessLog().write(new AccessLog.Entry(Instant.EPOCH, "id", "GET", "/v1/nowhere", 404, 0, null, null, -1));

        JsonNode read = JSON.readTree(lines.text().getFirst());
        assertThat(read.path("ts").asText()).isEqualTo("1970-01-01T00:00:00Z");
        assertThat(read.path("duration_ms").asDouble()).isEqualTo(0.0);
        assertThat(read.has("organization_id")).isFalse();
        assertThat(read.has("instance_id")).isFalse();
        assertThat(read.has("request_bytes")).isFalse();
        assertThat(read.size()).isEqualTo(6);
    }
}
