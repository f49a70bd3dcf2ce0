package chowder.bootstrap.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * A running server's operator admin API, for the CLI's organization commands: {@code CHOWDER_URL} names the server,
 * {@code CHOWDER_ADMIN_TOKEN} is the token it was started with. The CLI then never opens the database beside a live
 * server. Answers are the API's JSON, printed as they are; a refusal is the API's {@code detail}.
 */
public final class AdminApi {
    public static final String URL_VARIABLE = "CHOWDER_URL";
    public static final String TOKEN_VARIABLE = "CHOWDER_ADMIN_TOKEN";
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the server refused, or why it could not be asked; the message is one line for the operator. */
    public static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message, null, false, false);
        }
    }

    /** {@code CHOWDER_URL} or {@code CHOWDER_ADMIN_TOKEN} cannot be used; the message names the variable. */
    public static final class Misconfigured extends RuntimeException {
        Misconfigured(String message) {
            super(message, null, false, false);
        }
    }

    private final URI base;
    private final String token;
    private final HttpClient client;

    private AdminApi(URI base, String token) {
        this.base = base;
        this.token = token;
        this.client = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /**
     * The admin API when {@code CHOWDER_URL} is set, else empty (the command works on the store). A URL that is not
     * https (or http to a loopback address), one with a password in it, or a missing token, is a configuration error naming
     * the variable.
     */
    public static Optional<AdminApi> of(Map<String, String> env) {
        String url = env.getOrDefault(URL_VARIABLE, "").strip();
        if (url.isEmpty()) {
            return Optional.empty();
        }
        URI base;
        try {
            base = URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
        } catch (IllegalArgumentException e) {
            throw new Misconfigured(URL_VARIABLE + " must be the server's base URL, like http://localhost:8080, not '" + url + "'.");
        }
        if (!("http".equals(base.getScheme()) || "https".equals(base.getScheme())) || base.getHost() == null || base.getRawQuery() != null
                || base.getRawFragment() != null) {
            throw new Misconfigured(URL_VARIABLE + " must be the server's base URL, like http://localhost:8080, not '" + url + "'.");
        }
        if (base.getRawUserInfo() != null) {
            // The value is not quoted: it holds a password.
            throw new Misconfigured(URL_VARIABLE + " must not carry a user name or password; the admin token is the credential.");
        }
        if ("http".equals(base.getScheme()) && !isLoopback(base.getHost())) {
            // The token would cross the network in the clear.
            throw new Misconfigured(URL_VARIABLE + " is plain http to " + base.getHost() + ", which would send the admin token in the clear: use "
                    + "https (TLS in front of Chowder, docs/operations.md), or a loopback address.");
        }
        String token = env.getOrDefault(TOKEN_VARIABLE, "").strip();
        if (token.isEmpty()) {
            throw new Misconfigured(URL_VARIABLE + " is set, so the command uses the server's admin API: set " + TOKEN_VARIABLE
                    + " to the token the server was started with.");
        }
        return Optional.of(new AdminApi(base, token));
    }

    public JsonNode get(String path) {
        return send("GET", path, null);
    }

    public JsonNode post(String path, JsonNode body) {
        return send("POST", path, body);
    }

    public JsonNode patch(String path, JsonNode body) {
        return send("PATCH", path, body);
    }

    private JsonNode send(String method, String path, JsonNode body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(REQUEST_TIMEOUT)
                .header("Authorization", "Bearer " + token).header("Accept", "application/json");
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
        }
        HttpResponse<String> response;
        try {
            response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new Refused("cannot reach " + URL_VARIABLE + "=" + base + " (connection refused): is the server running there?");
        } catch (HttpTimeoutException e) {
            throw new Refused(base + " did not answer " + method + " " + path + " within " + REQUEST_TIMEOUT.toSeconds() + " s.");
        } catch (IOException e) {
            throw new Refused("cannot reach " + URL_VARIABLE + "=" + base + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Refused("interrupted while waiting for " + base);
        }
        if (response.statusCode() / 100 == 3) {
            // Never followed: the token would go wherever the Location points.
            throw new Refused(base + " redirected " + method + " " + path + " (HTTP " + response.statusCode() + "): set " + URL_VARIABLE
                    + " to the server's own address; redirects are not followed.");
        }
        JsonNode answer = parse(response.body());
        if (response.statusCode() / 100 != 2) {
            throw new Refused(refusal(response.statusCode(), answer));
        }
        if (answer == null) {
            throw new Refused(base + " answered " + method + " " + path + " with something that is not JSON: is " + URL_VARIABLE + " a Chowder server?");
        }
        return answer;
    }

    /** Whether {@code host} is this machine's loopback, by name or literal address (no name is looked up). */
    static boolean isLoopback(String host) {
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (bare.equalsIgnoreCase("localhost")) {
            return true;
        }
        if (!bare.contains(":") && !bare.matches("[0-9.]+")) {
            return false;
        }
        try {
            return InetAddress.getByName(bare).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private String refusal(int status, JsonNode answer) {
        String detail = answer == null ? "" : answer.path("detail").asText("");
        if (status == 404 && (detail.isEmpty() || detail.startsWith("Not found: "))) {
            // Without a token the server has no admin routes, so every admin path gets the unknown path's 404.
            return "the server at " + base + " has no admin API (HTTP 404): start it with " + TOKEN_VARIABLE + " set.";
        }
        return (detail.isEmpty() ? "the server refused" : detail) + " (HTTP " + status + ")";
    }

    private static JsonNode parse(String body) {
        try {
            return body == null || body.isEmpty() ? null : JSON.readTree(body);
        } catch (JsonProcessingException e) {
            return null;
        }
    }
}
