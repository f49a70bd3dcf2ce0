package chowder.e2e;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A plain HTTP client of Chowder's API, the way {@code curl} would call it: HTTP/1.1, an API key as bearer
 * token, JSON bodies sent byte for byte as given. Blocking; safe for concurrent use.
 */
public final class ChowderApi {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Longer than the slowest agent turn measured (the first after a gateway start, 9-17 s). */
    private static final Duration TURN_TIMEOUT = Duration.ofSeconds(90);

    private final URI baseUrl;
    // HTTP/1.1 like curl; the JDK client would otherwise try an h2c upgrade on every request.
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    public ChowderApi(URI baseUrl) {
        this.baseUrl = baseUrl;
    }

    /** One line of an event stream and when the client read it. */
    public record TimedLine(Instant readAt, String line) {}

    /** A streamed answer read to its end, line by line, each line stamped with its arrival time. */
    public record StreamedAnswer(int status, HttpHeaders headers, List<TimedLine> lines) {
        public String body() {
            StringBuilder body = new StringBuilder();
            lines.forEach(line -> body.append(line.line()).append('\n'));
            return body.toString();
        }
    }

    /** The path of the default session's responses endpoint. */
    public static String responsesPath(String instanceId) {
        return "/v1/instances/" + instanceId + "/responses";
    }

    /** The path of a named session's responses endpoint, with the id percent-encoded as one path segment. */
    public static String sessionResponsesPath(String instanceId, String sessionId) {
        return sessionPath(instanceId, sessionId) + "/responses";
    }

    /** The path of a named session itself (sessions extension), with the id percent-encoded as one path segment. */
    public static String sessionPath(String instanceId, String sessionId) {
        return "/v1/instances/" + instanceId + "/session/" + encodeSegment(sessionId);
    }

    /** Percent-encodes UTF-8 so that a slash becomes {@code %2F} and a space {@code %20} (never {@code +}). */
    public static String encodeSegment(String value) {
        return URLEncoder.encode(value, UTF_8).replace("+", "%20");
    }

    /** Registers a gateway as an instance with {@code POST /v1/instances}; returns its id, failing unless 201. */
    public String registerInstance(String apiKey, String name, URI gatewayUrl, String gatewayToken) {
        String body = JSON.createObjectNode()
                .put("name", name)
                .put("gateway_url", gatewayUrl.toString())
                .put("gateway_token", gatewayToken)
                .toString();
        HttpResponse<String> response = post("/v1/instances", apiKey, body);
        if (response.statusCode() != 201) {
            throw new AssertionError("POST /v1/instances answered " + response.statusCode() + ": " + response.body());
        }
        return json(response.body()).path("id").asText();
    }

    /**
     * Waits until {@code GET /v1/instances/{id}} says {@code running} (a registered gateway may first be
     * probed); throws {@link AssertionError} with the last answer when it does not within {@code timeout}.
     */
    public void awaitRunning(String apiKey, String instanceId, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            HttpResponse<String> response = get("/v1/instances/" + instanceId, apiKey);
            if (response.statusCode() == 200 && json(response.body()).path("status").asText().equals("running")) {
                return;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("instance " + instanceId + " not running within " + timeout + ": "
                        + response.statusCode() + " " + response.body());
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for instance " + instanceId, e);
            }
        }
    }

    public HttpResponse<String> get(String path, String apiKey) {
        return send("GET", path, apiKey);
    }

    /** Sends a request without a body, e.g. {@code POST …/reset} or {@code DELETE}. */
    public HttpResponse<String> send(String method, String path, String apiKey) {
        return exchange(request(path, apiKey).method(method, HttpRequest.BodyPublishers.noBody()).build());
    }

    /** POSTs {@code body} exactly as given, with {@code Content-Type: application/json}. */
    public HttpResponse<String> post(String path, String apiKey, String body) {
        return sendJson("POST", path, apiKey, body);
    }

    /** Like {@link #post(String, String, String)}, waiting up to {@code timeout} for the answer (a request that installs, say). */
    public HttpResponse<String> post(String path, String apiKey, String body, Duration timeout) {
        return exchange(request(path, apiKey).timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, UTF_8))
                .build());
    }

    /** Sends {@code body} exactly as given with {@code method}, with {@code Content-Type: application/json}. */
    public HttpResponse<String> send(String method, String path, String apiKey, String body) {
        return sendJson(method, path, apiKey, body);
    }

    /** PUTs {@code body} exactly as given, with {@code Content-Type: application/json}. */
    public HttpResponse<String> put(String path, String apiKey, String body) {
        return sendJson("PUT", path, apiKey, body);
    }

    private HttpResponse<String> sendJson(String method, String path, String apiKey, String body) {
        return exchange(request(path, apiKey)
                .header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body, UTF_8))
                .build());
    }

    /** POSTs {@code body} and reads the answer line by line as it arrives, to its end. */
    public StreamedAnswer postAndReadLines(String path, String apiKey, String body) {
        HttpRequest request = request(path, apiKey)
                .header("Content-Type", "application/json")
                .header("Accept", "text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(body, UTF_8))
                .build();
        try {
            HttpResponse<Stream<String>> response = http.send(request, HttpResponse.BodyHandlers.ofLines());
            List<TimedLine> lines = new ArrayList<>();
            try (Stream<String> received = response.body()) {
                received.forEachOrdered(line -> lines.add(new TimedLine(Instant.now(), line)));
            }
            return new StreamedAnswer(response.statusCode(), response.headers(), lines);
        } catch (IOException e) {
            throw new UncheckedIOException("POST " + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during POST " + path, e);
        }
    }

    public static JsonNode json(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + body, e);
        }
    }

    private HttpRequest.Builder request(String path, String apiKey) {
        return HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(TURN_TIMEOUT)
                .header("Authorization", "Bearer " + apiKey);
    }

    private HttpResponse<String> exchange(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString(UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(request.method() + " " + request.uri() + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during " + request.method() + " " + request.uri(), e);
        }
    }
}
