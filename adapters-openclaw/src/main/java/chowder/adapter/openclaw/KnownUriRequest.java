package chowder.adapter.openclaw;

import java.net.URI;
import java.util.Objects;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.transport.HttpConversation;
import org.eclipse.jetty.client.transport.HttpRequest;

/**
 * A gateway request that answers its URI with the one it was made from. Jetty rebuilds a request's URI from its parts
 * on first use (a string joined and parsed twice), and its connection asks for it on every send only to learn whether
 * an HTTP proxy needs it: 4 % of the relay's CPU for a URI Chowder built once per instance. Should the path or query
 * ever change, Jetty's own rebuilt URI is answered again.
 */
final class KnownUriRequest extends HttpRequest {
    private final URI uri;

    KnownUriRequest(HttpClient client, URI uri) {
        // What HttpClient.newRequest(URI) makes, less the rebuilt URI.
        super(client, new HttpConversation(), uri);
        this.uri = uri;
    }

    @Override
    public URI getURI() {
        return Objects.equals(getPath(), uri.getRawPath()) && Objects.equals(getQuery(), uri.getRawQuery()) ? uri : super.getURI();
    }
}
