package chowder.bootstrap;

import static chowder.bootstrap.RunningChowder.JSON;
import static org.assertj.core.api.Assertions.assertThat;

import chowder.adapter.http.HttpServerConfig;
import chowder.testing.ScriptedGateway;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bodies near Chowder's own limit (CHOWDER_MAX_REQUEST_BYTES, at its default of 20 MiB) through the whole application:
 * the limit is the body's size, not a bound of the JSON reader underneath (Jackson's strings stop at 20,000,000
 * characters by default, less than 20 MiB).
 */
class RequestBodyLimitsEndToEndTest {
    private static final long LIMIT = HttpServerConfig.DEFAULT_MAX_REQUEST_BYTES;
    private static final String OPENING = "{\"input\":\"";
    private static final String CLOSING = "\"}";

    @TempDir
    Path dataDir;
    private final ScriptedGateway gateway = ScriptedGateway.start(ScriptedGateway.status(200, "{\"object\":\"response\"}"));
    private RunningChowder chowder;
    private String key;
    private String responses;

    @BeforeEach
    void start() throws Exception {
        chowder = new RunningChowder(dataDir, Map.of());
        key = chowder.createOrganization("Acme").path("api_key").asText();
        responses = "/v1/instances/" + chowder.registerInstance(key, gateway.baseUrl(), "token") + "/responses";
    }

    @AfterEach
    void stop() {
        chowder.close();
        gateway.close();
    }

    @Test
    void aBodyJustUnderTheLimitWhoseOneStringIsOver20MillionCharactersIsForwarded() throws Exception {
        String body = bodyOf(LIMIT - 12);
        assertThat(body.length() - OPENING.length() - CLOSING.length()).isGreaterThan(20_000_000);

        HttpResponse<String> answer = chowder.send("POST", responses, key, body);

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(answer.body()).isEqualTo("{\"object\":\"response\"}");
        assertThat(gateway.requestCount()).isEqualTo(1);
        // The client's fields, whole, plus the model the gateway accepts.
        assertThat(gateway.lastBodyBytes()).isEqualTo(body.length() + "\"model\":\"openclaw\",".length());
    }

    @Test
    void aBodyOneByteOverTheLimitIs413AndNothingIsForwarded() throws Exception {
        HttpResponse<String> answer = chowder.send("POST", responses, key, bodyOf(LIMIT + 1));

        assertThat(answer.statusCode()).isEqualTo(413);
        assertThat(JSON.readTree(answer.body()).path("detail").asText()).isEqualTo("Request body is larger than the limit of " + LIMIT + " bytes.");
        assertThat(gateway.requestCount()).isZero();
    }

    @Test
    void theJsonShapeLimitsAre400sInChowdersWords() throws Exception {
        Map<String, String> refused = Map.of(
                "{\"input\":\"x\",\"n\":" + "9".repeat(1001) + "}", "Request body is not accepted: a number is longer than 1000 characters.",
                "{\"input\":" + "[".repeat(1001) + "]".repeat(1001) + "}", "Request body is not accepted: it nests deeper than 1000 levels.",
                "{\"input\":\"x\",\"" + "k".repeat(50_001) + "\":1}", "Request body is not accepted: a field name is longer than 50000 characters.");
        for (Map.Entry<String, String> body : refused.entrySet()) {
            for (String path : new String[] {responses, "/v1/instances"}) {
                HttpResponse<String> answer = chowder.send("POST", path, key, body.getKey());
                assertThat(answer.statusCode()).as(path + " " + answer.body()).isEqualTo(400);
                assertThat(JSON.readTree(answer.body()).path("detail").asText()).as(path).isEqualTo(body.getValue());
            }
        }
        assertThat(chowder.send("POST", responses, key, "{\"input\":\"x\",\"n\":" + "9".repeat(1000) + "}").statusCode())
                .as("a number of 1000 characters").isEqualTo(200);
        assertThat(gateway.requestCount()).isEqualTo(1);
    }

    /**
     * Every other route's JSON is read as a tree: it takes bodies up to CHOWDER_MAX_CONTROL_BODY_BYTES (8 MiB) and 100,000
     * tokens only, so that a request there cannot make Chowder hold half a gigabyte while it is parsed; a turn as large goes on.
     */
    @Test
    void everyOtherRouteTakesBodiesUpToTheControlLimitOnly() throws Exception {
        long control = HttpServerConfig.DEFAULT_MAX_CONTROL_BODY_BYTES;
        String large = "x".repeat((int) control);

        HttpResponse<String> refused = chowder.send("POST", "/v1/instances", key, "{\"name\":\"" + large + "\"}");
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(413);
        assertThat(JSON.readTree(refused.body()).path("detail").asText()).isEqualTo("Request body is larger than the limit of " + control + " bytes.");
        HttpResponse<String> keys = chowder.send("POST", "/v1/keys", key, "{\"name\":\"" + large + "\"}");
        assertThat(keys.statusCode()).as(keys.body()).isEqualTo(413);
        // Under it, the route's own checks answer.
        HttpResponse<String> named = chowder.send("POST", "/v1/instances", key, "{\"name\":\"" + "x".repeat(1000) + "\"}");
        assertThat(named.statusCode()).as(named.body()).isNotEqualTo(413);

        HttpResponse<String> turn = chowder.send("POST", responses, key, "{\"input\":\"" + large + "\"}");
        assertThat(turn.statusCode()).as(turn.body()).isEqualTo(200);

        // Nor may a small body become a large tree: 180 KB of empty objects is some 6 MB of nodes, 1 MiB of them 32 MB.
        String manyValues = "[" + String.join(",", java.util.Collections.nCopies(60_000, "{}")) + "]";
        HttpResponse<String> tree = chowder.send("POST", "/v1/instances", key, "{\"name\":" + manyValues + "}");
        assertThat(tree.statusCode()).as(tree.body()).isEqualTo(400);
        assertThat(JSON.readTree(tree.body()).path("detail").asText())
                .isEqualTo("Request body is not accepted: it holds more than 100000 JSON tokens (each value, field name and bracket counts).");
        // A turn is read as it streams, never as a tree: the same values go through.
        HttpResponse<String> values = chowder.send("POST", responses, key, "{\"input\":\"x\",\"metadata\":{\"v\":" + manyValues + "}}");
        assertThat(values.statusCode()).as(values.body()).isEqualTo(200);
    }

    /** {"input":"xxx…"} of exactly {@code bytes} bytes. */
    private static String bodyOf(long bytes) {
        return OPENING + "x".repeat((int) (bytes - OPENING.length() - CLOSING.length())) + CLOSING;
    }
}
