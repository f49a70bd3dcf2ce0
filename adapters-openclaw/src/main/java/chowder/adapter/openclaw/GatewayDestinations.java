package chowder.adapter.openclaw;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.client.Destination;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;

/**
 * The Jetty destination (an origin's connection pool and queue) of each gateway endpoint, looked up without a lock.
 * Jetty resolves a request's destination on every send: an origin built from the request's parts, then a
 * {@code ConcurrentHashMap.compute} that locks the map's bin and the destination's stale lock even when it exists, so
 * every call to one gateway took the same two locks. A destination goes stale only when the client removes idle ones
 * ({@code destinationIdleTimeout} above zero, a setting fixed before the client starts); such a client is asked every
 * time, as Jetty does. Equal endpoint URIs make equal Jetty origins (scheme, lower-case host, port) as long as requests
 * set no tag nor transport of their own, which Chowder's never do.
 */
final class GatewayDestinations {
    private final HttpClient http;
    // One entry per gateway endpoint ever called, as Jetty's own map keeps one destination per origin.
    private final ConcurrentHashMap<URI, Destination> byEndpoint = new ConcurrentHashMap<>();

    GatewayDestinations(HttpClient http) {
        this.http = requireNonNull(http, "http is null");
    }

    /**
     * Sends {@code request}, made for {@code endpoint} (the URI it was built from), through its destination; a destination
     * Jetty cannot make (say, one beyond its maximum) throws here, as it would from {@link Request#send}.
     */
    void send(URI endpoint, Request request, Response.CompleteListener listener) {
        of(endpoint, request).send(request, listener);
    }

    /** The destination of {@code request}, made for {@code endpoint}. */
    Destination of(URI endpoint, Request request) {
        if (http.getDestinationIdleTimeout() > 0) {
            return http.resolveDestination(request);
        }
        Destination known = byEndpoint.get(endpoint);
        if (known != null) {
            return known;
        }
        Destination resolved = http.resolveDestination(request);
        byEndpoint.put(endpoint, resolved);
        return resolved;
    }
}
