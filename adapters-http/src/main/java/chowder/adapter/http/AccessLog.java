package chowder.adapter.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
        ObjectNode line = json.createObjectNode()
                .put("ts", entry.finishedAt().toString())
                .put("request_id", entry.requestId())
                .put("method", entry.method())
                .put("route", entry.route())
                .put("status", entry.status())
                .put("duration_ms", Math.round(entry.durationNanos() / 10_000.0) / 100.0);
        if (entry.organizationId() != null) {
            line.put("organization_id", entry.organizationId());
        }
        if (entry.instanceId() != null) {
            line.put("instance_id", entry.instanceId());
        }
        if (entry.requestBytes() >= 0) {
            line.put("request_bytes", entry.requestBytes());
        }
        log.info(line.toString());
    }

    /** What one line says; the ids are null when unknown (no key, or no instance in the route). */
    record Entry(Instant finishedAt, String requestId, String method, String route, int status, long durationNanos,
            String organizationId, String instanceId, long requestBytes) {
    }
}
