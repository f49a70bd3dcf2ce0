package chowder.adapter.http.observability;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One JSON line per answered request on the logger {@value #LOGGER}: when, which request (its id), the route
 * template (never the path: it carries session ids), status, duration, and whose request it was. Keys, tokens,
 * headers and bodies are never part of it.
 */
final class AccessLog {
    static final String LOGGER = "chowder.access";
    private static final Logger log = LoggerFactory.getLogger(LOGGER);

    private final ObjectMapper json;

    AccessLog(ObjectMapper json) {
        this.json = json;
    }

    boolean enabled() {
        return log.isInfoEnabled();
    }

    void write(Entry entry) {
        // Written field by field, without a tree: this runs once per request.
        StringWriter line = new StringWriter(320);
        try (JsonGenerator out = json.getFactory().createGenerator(line)) {
            out.writeStartObject();
            out.writeStringField("ts", entry.finishedAt().toString());
            out.writeStringField("request_id", entry.requestId());
            out.writeStringField("method", entry.method());
            out.writeStringField("route", entry.route());
            out.writeNumberField("status", entry.status());
            out.writeNumberField("duration_ms", Math.round(entry.durationNanos() / 10_000.0) / 100.0);
            if (entry.organizationId() != null) {
                out.writeStringField("organization_id", entry.organizationId());
            }
            if (entry.instanceId() != null) {
                out.writeStringField("instance_id", entry.instanceId());
            }
            if (entry.requestBytes() >= 0) {
                out.writeNumberField("request_bytes", entry.requestBytes());
            }
            out.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("a StringWriter does not fail", e);
        }
        log.info(line.toString());
    }

    /** What one line says; the ids are null when unknown (no key, or no instance in the route). */
    record Entry(Instant finishedAt, String requestId, String method, String route, int status, long durationNanos,
            String organizationId, String instanceId, long requestBytes) {
    }
}
